#requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester tests in tests/pwsh with the given tags under real Pester and prints one summary line.
.DESCRIPTION
    Imports Pester from its NuGet package (tests/pwsh/install.sh puts it at /opt/ipvstools/pester/5.7.1),
    runs every tests/pwsh/*.Tests.ps1 filtered by -Tag/-ExcludeTag, writes NUnit XML to -OutputPath, and
    prints, like an xunit v3 runner, one line tests/run.sh adds up:
        pwsh NAME  Total: N, Errors: E, Failed: F, Skipped: S, Not Run: 0, Time: T s
    Errors are test files that failed to load (or a run that found no test at all); Skipped also counts
    inconclusive tests; both make the tier fail, as -failSkips does for xunit. Exit code 0 only when
    every test that ran passed and at least one ran.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Name,
    [Parameter(Mandatory)] [string[]] $Tag,
    [string[]] $ExcludeTag = @(),
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $PesterPath = '/opt/ipvstools/pester/5.7.1/tools/Pester.psd1',
    [string[]] $Path = @(Join-Path $PSScriptRoot '*.Tests.ps1')
)
$ErrorActionPreference = 'Stop'
# bash passes a list as one word (-Tag Unit,Host through pwsh -File): split it here.
$Tag = @($Tag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$ExcludeTag = @($ExcludeTag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$started = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module $PesterPath -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Filter.Tag = $Tag
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $OutputPath
$config.Should.ErrorAction = 'Stop'

try {
    $result = Invoke-Pester -Configuration $config
}
catch {
    # Pester itself failed (for example writing the NUnit report): the run counts as one error.
    Write-Host "pwsh ${Name}: Invoke-Pester failed: $_"
    Write-Host ("pwsh {0}  Total: 1, Errors: 1, Failed: 0, Skipped: 0, Not Run: 0, Time: {1}s" -f $Name, [math]::Round($started.Elapsed.TotalSeconds, 3))
    exit 1
}

$errors = @($result.Containers | Where-Object Result -eq 'Failed' | Where-Object { $_.ErrorRecord.Count -gt 0 -and $_.PassedCount + $_.FailedCount -eq 0 })
foreach ($c in $errors) {
    Write-Host "pwsh ${Name}: $($c.Item) failed to load or to run: $($c.ErrorRecord | ForEach-Object { $_.ToString() } | Select-Object -First 3)"
}
$errorCount = $errors.Count
if ($result.TotalCount - $result.NotRunCount -eq 0) {
    Write-Host "pwsh ${Name}: no test ran (tags $($Tag -join ', '))"
    $errorCount++
}
$ran = $result.PassedCount + $result.FailedCount + $result.SkippedCount + $result.InconclusiveCount
$skipped = $result.SkippedCount + $result.InconclusiveCount
foreach ($t in $result.Skipped) { Write-Host "pwsh ${Name}: skipped counts as failed: $($t.ExpandedPath)" }
$seconds = [math]::Round($started.Elapsed.TotalSeconds, 3)
Write-Host ("pwsh {0}  Total: {1}, Errors: {2}, Failed: {3}, Skipped: {4}, Not Run: 0, Time: {5}s" -f $Name, ($ran + $errorCount), $errorCount, $result.FailedCount, $skipped, $seconds)
exit ([int]($errorCount + $result.FailedCount + $skipped -gt 0))
