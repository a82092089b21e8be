# Helpers shared by tests/pwsh/*.Tests.ps1 (dot-source it in BeforeAll: . $PSScriptRoot/TestHelpers.ps1).
# Nothing here fakes the kernel: namespaces are real (ip netns), tools are the real ones, pwsh processes
# are fresh pwsh 7.6 processes.

# The repository the tier runs from (tests/pwsh/run.sh exports it; the lab passes it with --env).
function Get-TestRepoRoot {
    if ($env:IPVSTOOLS_REPO) { return $env:IPVSTOOLS_REPO }
    [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
}

# The pwsh the tier runs (the .NET tool at /opt/ipvstools/pwsh).
function Get-TestPwsh {
    if ($env:IPVSTOOLS_PWSH) { return $env:IPVSTOOLS_PWSH }
    '/opt/ipvstools/pwsh/pwsh'
}

# Runs a program with an argument list (never a shell string) and returns its exit code, stdout and stderr.
# -Check throws with both when the exit code is not 0.
function Invoke-TestTool {
    param(
        [Parameter(Mandatory, Position = 0)] [string] $FilePath,
        [Parameter(Position = 1)] [string[]] $ArgumentList = @(),
        [string] $InputText,
        [string] $WorkingDirectory,
        [hashtable] $Environment,
        [switch] $Check
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.UseShellExecute = $false
    if ($WorkingDirectory) { $info.WorkingDirectory = $WorkingDirectory }
    if ($Environment) { foreach ($k in $Environment.Keys) { $info.Environment[$k] = [string]$Environment[$k] } }
    $p = [System.Diagnostics.Process]::Start($info)
    $stderrTask = $p.StandardError.ReadToEndAsync()
    $stdoutTask = $p.StandardOutput.ReadToEndAsync()
    if ($InputText) { $p.StandardInput.Write($InputText) }
    $p.StandardInput.Close()
    $p.WaitForExit()
    # Colour escapes (a pwsh error record renders with them) would make the NUnit report invalid XML.
    $plain = { param($t) [regex]::Replace($t, '\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]', '') }
    $result = [pscustomobject]@{
        Command  = (@($FilePath) + $ArgumentList) -join ' '
        ExitCode = $p.ExitCode
        Output   = & $plain $stdoutTask.Result
        Error    = & $plain $stderrTask.Result
    }
    if ($Check -and $result.ExitCode -ne 0) {
        throw "$($result.Command) exited with $($result.ExitCode): $($result.Error.Trim()) $($result.Output.Trim())"
    }
    $result
}

# A fresh pwsh process (-NoProfile -NonInteractive) running $Command; its exit code, stdout and stderr.
function Invoke-FreshPwsh {
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Command,
        [string] $WorkingDirectory,
        [hashtable] $Environment,
        [string[]] $Prefix = @()
    )
    $all = @($Prefix) + @((Get-TestPwsh), '-NoLogo', '-NoProfile', '-NonInteractive', '-Command', $Command)
    Invoke-TestTool -FilePath $all[0] -ArgumentList ($all | Select-Object -Skip 1) -WorkingDirectory $WorkingDirectory -Environment $Environment
}

# A throwaway network namespace with lo up; returns its name (under /run/netns).
function New-TestNetworkNamespace {
    param([string] $Prefix = 'ivt-pester')
    $name = '{0}-{1}' -f $Prefix, [guid]::NewGuid().ToString('N').Substring(0, 8)
    Invoke-TestTool ip 'netns', 'add', $name -Check | Out-Null
    Invoke-TestTool ip '-n', $name, 'link', 'set', 'lo', 'up' -Check | Out-Null
    $name
}

function Remove-TestNetworkNamespace {
    param([Parameter(ValueFromPipeline)] [string] $Name)
    process { if ($Name) { Invoke-TestTool ip 'netns', 'delete', $Name | Out-Null } }
}

# Runs a tool inside a namespace: ip netns exec NAME FILE ARGS.
function Invoke-InNamespace {
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Namespace,
        [Parameter(Mandatory, Position = 1)] [string] $FilePath,
        [Parameter(Position = 2)] [string[]] $ArgumentList = @(),
        [string] $InputText,
        [switch] $Check
    )
    Invoke-TestTool ip (@('netns', 'exec', $Namespace, $FilePath) + $ArgumentList) -InputText $InputText -Check:$Check
}

# A fleet of nodes reachable over real PowerShell remoting over SSH, all inside throwaway namespaces:
# one client namespace and, per node name, a node namespace joined to it by a veth pair, running Debian's
# sshd (its own config, host key and port 22 inside the namespace, key authentication for root with a
# generated key, pwsh as the `powershell` subsystem). Invoke-FleetClient runs a pwsh script in the client
# namespace whose /etc/ssh/ssh_config (a bind mount in a private mount namespace) names the nodes, so
# README's recipes run as written: Invoke-Command -HostName node1, node2 { ... }.
#
# -ClientHere (the lab only: the guest is a throwaway machine of its own) puts the client side in the current
# namespace and the ssh_config over /etc/ssh/ssh_config in the current mount namespace, so the test's own
# pwsh is the client: under emulation every fresh pwsh costs minutes.
function New-TestSshFleet {
    param([string[]] $NodeName = @('node1', 'node2'), [switch] $ClientHere)
    if ($ClientHere -and $env:IPVSTOOLS_LAB -ne '1') { throw 'New-TestSshFleet -ClientHere changes the current namespace and /etc/ssh/ssh_config: only inside the lab' }
    $dir = [System.IO.Directory]::CreateTempSubdirectory('ivt-fleet-').FullName
    Invoke-TestTool chmod '0755', $dir -Check | Out-Null
    Invoke-TestTool ssh-keygen '-q', '-t', 'ed25519', '-N', '', '-C', 'ipvstools-fleet-test', '-f', "$dir/client_key" -Check | Out-Null
    Invoke-TestTool ssh-keygen '-q', '-t', 'ed25519', '-N', '', '-C', 'ipvstools-fleet-node', '-f', "$dir/host_key" -Check | Out-Null
    Copy-Item "$dir/client_key.pub" "$dir/authorized_keys"
    if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory /run/sshd | Out-Null; Invoke-TestTool chmod '0755', '/run/sshd' -Check | Out-Null }
    $dotnetRoot = Split-Path ([System.IO.Path]::GetFullPath((Invoke-TestTool readlink '-f', (Get-Command dotnet).Source -Check).Output.Trim()))
    $fleet = [pscustomobject]@{ Directory = $dir; Client = $(if (-not $ClientHere) { New-TestNetworkNamespace 'ivt-client' }); ClientHere = [bool]$ClientHere; Nodes = [ordered]@{} }
    # ip -n NS ...; in the current namespace when the client is here.
    $clientIp = { param([string[]] $a) if ($fleet.Client) { @('-n', $fleet.Client) + $a } else { $a } }
    $clientConfig = [System.Text.StringBuilder]::new()
    $i = 0
    foreach ($name in $NodeName) {
        $i++
        $ns = New-TestNetworkNamespace 'ivt-node'
        $clientAddress = "192.168.$(200 + $i).1"
        $nodeAddress = "192.168.$(200 + $i).2"
        $veth = 'ivtc' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Invoke-TestTool ip (& $clientIp 'link', 'add', $veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', $ns) -Check | Out-Null
        Invoke-TestTool ip (& $clientIp 'address', 'add', "$clientAddress/30", 'dev', $veth) -Check | Out-Null
        Invoke-TestTool ip (& $clientIp 'link', 'set', $veth, 'up') -Check | Out-Null
        Invoke-TestTool ip '-n', $ns, 'address', 'add', "$nodeAddress/30", 'dev', 'eth0' -Check | Out-Null
        Invoke-TestTool ip '-n', $ns, 'link', 'set', 'eth0', 'up' -Check | Out-Null
        $nodeDir = "$dir/$name"
        New-Item -ItemType Directory "$nodeDir/home" -Force | Out-Null
        @"
Port 22
ListenAddress $nodeAddress
HostKey $dir/host_key
PidFile $nodeDir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv HOME=$nodeDir/home DOTNET_CLI_HOME=$nodeDir/home DOTNET_ROOT=$dotnetRoot POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
Subsystem powershell $(Get-TestPwsh) -sshs -NoLogo
"@ | Set-Content "$nodeDir/sshd_config"
        Invoke-TestTool ip 'netns', 'exec', $ns, '/usr/sbin/sshd', '-f', "$nodeDir/sshd_config", '-E', "$nodeDir/sshd.log" -Check | Out-Null
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while (-not (Test-Path "$nodeDir/sshd.pid")) {
            if ([datetime]::UtcNow -gt $deadline) { throw "sshd in $ns did not start: $(Get-Content -Raw "$nodeDir/sshd.log" -ErrorAction SilentlyContinue)" }
            Start-Sleep -Milliseconds 100
        }
        [void]$clientConfig.AppendLine("Host $name").AppendLine("    HostName $nodeAddress")
        $fleet.Nodes[$name] = [pscustomobject]@{ Name = $name; Namespace = $ns; Address = $nodeAddress; Directory = $nodeDir }
    }
    @"
$($clientConfig.ToString())
Host *
    User root
    IdentityFile $dir/client_key
    IdentitiesOnly yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    BatchMode yes
    LogLevel ERROR
"@ | Set-Content "$dir/ssh_config"
    if ($ClientHere) { Invoke-TestTool mount '--bind', "$dir/ssh_config", '/etc/ssh/ssh_config' -Check | Out-Null }
    $fleet
}

function Remove-TestSshFleet {
    param($Fleet)
    if (-not $Fleet) { return }
    foreach ($node in $Fleet.Nodes.Values) {
        $pidFile = "$($node.Directory)/sshd.pid"
        if (Test-Path $pidFile) { Invoke-TestTool kill ((Get-Content $pidFile).Trim()) | Out-Null }
        Remove-TestNetworkNamespace $node.Namespace
    }
    if ($Fleet.Client) { Remove-TestNetworkNamespace $Fleet.Client }
    if ($Fleet.ClientHere) { Invoke-TestTool umount '/etc/ssh/ssh_config' | Out-Null }
    Remove-Item -Recurse -Force $Fleet.Directory -ErrorAction SilentlyContinue
}

# Runs a pwsh script in the fleet's client namespace, with the fleet's ssh_config as /etc/ssh/ssh_config.
function Invoke-FleetClient {
    param($Fleet, [Parameter(Mandatory)] [string] $Script)
    if ($Fleet.ClientHere) {
        # This pwsh is the client: run the script here, its output as text, a failure as exit code 1.
        try {
            $out = & ([scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n" + $Script)) | ForEach-Object { "$_" }
            return [pscustomobject]@{ Command = 'in-process'; ExitCode = 0; Output = ($out -join "`n") + "`n"; Error = '' }
        }
        catch {
            return [pscustomobject]@{ Command = 'in-process'; ExitCode = 1; Output = ''; Error = "$_ $($_.ScriptStackTrace)" }
        }
    }
    $file = "$($Fleet.Directory)/client-$([guid]::NewGuid().ToString('N').Substring(0, 6)).ps1"
    Set-Content $file ("`$ErrorActionPreference = 'Stop'`n" + $Script)
    New-Item -ItemType Directory "$($Fleet.Directory)/client-home" -Force | Out-Null
    $shell = "mount --bind '$($Fleet.Directory)/ssh_config' /etc/ssh/ssh_config && exec ip netns exec '$($Fleet.Client)' '$(Get-TestPwsh)' -NoLogo -NoProfile -NonInteractive -File '$file'"
    Invoke-TestTool unshare '--mount', '--propagation', 'private', 'sh', '-c', $shell -Environment @{ HOME = "$($Fleet.Directory)/client-home" }
}
