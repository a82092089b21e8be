using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace IpvsTools.Tests;

/// <summary>
/// A stand-in Kubernetes API server on 127.0.0.1 for the live cluster source: answers GET requests
/// from a table of paths (query strings matched too) with the API's real JSON (List responses with
/// metadata.continue for paging, Status objects for errors), records every request, and writes a
/// kubeconfig that points at it. Loopback only; stops when disposed.
/// </summary>
public sealed class LoopbackApiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _routes = new();
    private readonly ConcurrentDictionary<string, Channel<string>> _watches = new();
    private readonly Task _loop;

    public LoopbackApiServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(Serve);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every request as "METHOD path?query" (without watch=false), with the Authorization header.</summary>
    public ConcurrentQueue<(string Request, string? Authorization)> Requests { get; } = new();

    /// <summary>Answers GET <paramref name="pathAndQuery"/> with <paramref name="json"/>.</summary>
    public void Answer(string pathAndQuery, string json, int status = 200) => _routes[pathAndQuery] = (status, json);

    /// <summary>
    /// Answers GET <paramref name="pathAndQuery"/> with a watch stream: each event written to the
    /// returned channel goes out as one JSON line ({"type":"ADDED","object":{...}}), flushed at once;
    /// completing the channel ends the stream (as the API server's timeout does).
    /// </summary>
    public ChannelWriter<string> AnswerWatch(string pathAndQuery)
    {
        var channel = Channel.CreateUnbounded<string>();
        _watches[pathAndQuery] = channel;
        return channel.Writer;
    }

    /// <summary>A watch event line.</summary>
    public static string WatchEvent(string type, string objectJson) => $$"""{"type":"{{type}}","object":{{objectJson}}}""";

    /// <summary>A kubeconfig with two contexts: "loop" points here (token auth), "elsewhere" (the current one) at a closed port.</summary>
    public string WriteKubeconfig(string directory, string token = "loop-token")
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: loop
              cluster:
                server: {{Url}}
            - name: elsewhere
              cluster:
                server: http://127.0.0.1:9
            contexts:
            - name: loop
              context: {cluster: loop, user: tester}
            - name: elsewhere
              context: {cluster: elsewhere, user: tester}
            current-context: elsewhere
            users:
            - name: tester
              user: {token: {{token}}}
            """);
        return path;
    }

    /// <summary>The API's Status object for an error.</summary>
    public static string Status(int code, string reason, string message)
        => $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{code}}}""";

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var url = context.Request.Url!;
        var key = url.AbsolutePath + Normalize(url.Query);
        Requests.Enqueue((context.Request.HttpMethod + " " + key, context.Request.Headers["Authorization"]));
        try
        {
            if (_watches.TryGetValue(key, out var watch))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.SendChunked = true;
                await foreach (var line in watch.Reader.ReadAllAsync())
                {
                    var chunk = Encoding.UTF8.GetBytes(line + "\n");
                    await context.Response.OutputStream.WriteAsync(chunk);
                    await context.Response.OutputStream.FlushAsync();
                }
                context.Response.Close();
                return;
            }
            var (status, body) = _routes.TryGetValue(key, out var r) ? r
                : (404, Status(404, "NotFound", $"the server could not find the requested resource {key}"));
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>The query without watch=false (which the client sends on every list and means the default).</summary>
    private static string Normalize(string query)
    {
        var parts = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "watch=false").ToArray();
        return parts.Length == 0 ? "" : "?" + string.Join("&", parts);
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        foreach (var w in _watches.Values) w.Writer.TryComplete();
        // Close alone: on Linux, HttpListener's Stop already lets go of the port, and a Close after it binds
        // the port once more to remove the prefixes, which fails with "Address already in use" when another
        // test's server took the port in between (seen in the lab with two classes' servers side by side).
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
