using System.Collections;
using System.Management.Automation;
using System.Text;
using IpvsTools.Tests;
using Xunit;

namespace IpvsTools.ModuleTests.Security;

/// <summary>
/// Kubeconfig secrets stay secret: a bearer token and a client key never appear in the verbose, debug,
/// warning, information or error output of Get-KubeIpvsPlan, nor in the errors' exceptions (messages,
/// inner exceptions, serialized properties), whether the API server refuses (401, 403), cannot be
/// reached, or its certificate authority is unusable. Unit tier: the loopback API server only.
/// </summary>
public sealed class KubeconfigSecretTests(PowerShellSession session) : IDisposable
{
    private const string Token = "sekrit-token-7c1e0b9a-do-not-print";
    private const string KeyMarker = "SEKRITKEYMATERIAL7c1e0b9aDONOTPRINT";
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-secret-").FullName;

    /// <summary>A client key that is no key: base64 of a PEM block whose body holds the marker.</summary>
    private static readonly string BadKeyData = Convert.ToBase64String(Encoding.ASCII.GetBytes(
        $"-----BEGIN EC PRIVATE KEY-----\n{KeyMarker}{Convert.ToBase64String(Encoding.ASCII.GetBytes(KeyMarker))}\n-----END EC PRIVATE KEY-----\n"));

    /// <summary>A real client certificate and its key (self-signed, made for this run), as kubeconfig data.</summary>
    private static readonly (string Certificate, string Key, string KeyBody) Client = MakeClient();

    private static readonly string[] Secrets =
        [Token, Convert.ToBase64String(Encoding.ASCII.GetBytes(Token)), KeyMarker, BadKeyData, Client.Key, Client.KeyBody[..40], Client.KeyBody[^40..]];

    private static (string, string, string) MakeClient()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=tester", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var keyPem = key.ExportECPrivateKeyPem();
        var body = string.Concat(keyPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
        return (Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem())), Convert.ToBase64String(Encoding.ASCII.GetBytes(keyPem)), body);
    }

    private string Kubeconfig(LoopbackApiServer api)
    {
        var path = Path.Combine(_dir, "kubeconfig-" + Guid.NewGuid().ToString("N"));
        var garbageCa = Convert.ToBase64String(Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n"));
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: loop
              cluster: {server: "{{api.Url}}"}
            - name: closed
              cluster: {server: "http://127.0.0.1:9"}
            - name: badca
              cluster: {server: "https://127.0.0.1:{{api.Port}}", certificate-authority-data: "{{garbageCa}}"}
            - name: tls-to-http
              cluster: {server: "https://127.0.0.1:{{api.Port}}", insecure-skip-tls-verify: true}
            contexts:
            - name: token
              context: {cluster: loop, user: token}
            - name: closed
              context: {cluster: closed, user: token}
            - name: badca
              context: {cluster: badca, user: token}
            - name: key
              context: {cluster: loop, user: key}
            - name: key-tls
              context: {cluster: tls-to-http, user: key}
            - name: badkey
              context: {cluster: loop, user: badkey}
            - name: token-tls
              context: {cluster: tls-to-http, user: token}
            current-context: token
            users:
            - name: token
              user: {token: "{{Token}}"}
            - name: key
              user: {client-certificate-data: "{{Client.Certificate}}", client-key-data: "{{Client.Key}}"}
            - name: badkey
              user: {client-certificate-data: "{{Client.Certificate}}", client-key-data: "{{BadKeyData}}"}
            """);
        return path;
    }

    public static TheoryData<string, int> Failures => new()
    {
        { "token", 401 },
        { "token", 403 },
        { "token", 500 },
        { "closed", 0 },
        { "badca", 0 },
        { "token-tls", 0 },
        { "key", 0 },
        { "key-tls", 0 },
        { "badkey", 0 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void NoStreamNorErrorCarriesTheTokenOrTheKey(string context, int status)
    {
        using var api = new LoopbackApiServer();
        if (status != 0)
        {
            var reason = status switch { 401 => "Unauthorized", 403 => "Forbidden", _ => "InternalError" };
            foreach (var resource in new[] { "/api/v1/services?limit=500", "/apis/discovery.k8s.io/v1/endpointslices?limit=500", "/api/v1/nodes/n1" })
                api.Answer(resource, LoopbackApiServer.Status(status, reason, reason.ToLowerInvariant()), status);
        }
        var result = session.Run("""
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $WarningPreference = 'Continue'
            Get-KubeIpvsPlan -Kubeconfig $k -Context $c -NodeName n1 -Verbose -Debug *>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) {
                    "ERROR $($_.FullyQualifiedErrorId) $($_.CategoryInfo) $($_.ErrorDetails) $($_.TargetObject)"
                    "EXCEPTION $($_.Exception.ToString())"
                    "SERIALIZED $([System.Management.Automation.PSSerializer]::Serialize($_, 4))"
                } else { "STREAM $($_.GetType().Name) $_" }
            }
            """, new Hashtable { ["k"] = Kubeconfig(api), ["c"] = context });
        var text = string.Join("\n", result.Output.Select(o => o.ToString()))
            + string.Join("\n", result.AllErrors.Select(e => e + "\n" + e.Exception + "\n" + PSSerializer.Serialize(e, 4)));
        // Every case fails: the text checked holds the failure.
        var first = result.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message).FirstOrDefault()
            ?? text.Split('\n').FirstOrDefault(l => l.StartsWith("ERROR ", StringComparison.Ordinal));
        Assert.True(first is not null, "no error: " + text);
        TestContext.Current.SendDiagnosticMessage($"{context} {status}: {first}");
        foreach (var secret in Secrets) Assert.DoesNotContain(secret, text);
        if (context.StartsWith("token", StringComparison.Ordinal) && status != 0)
        {
            // The token did reach the server (so the failure was the server's answer, not a missing token).
            Assert.Contains(api.Requests, r => r.Authorization == "Bearer " + Token);
        }
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
