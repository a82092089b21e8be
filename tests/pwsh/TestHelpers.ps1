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
