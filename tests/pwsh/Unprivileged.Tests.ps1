# Run as an unprivileged user (tests/pwsh/run.sh runs the tag Unprivileged as the system user ipvstools-test):
# the installed module imports by name, and what needs root is refused with one error that says what to do.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $repo = Get-TestRepoRoot
    $manifest = Import-PowerShellDataFile ([System.IO.Path]::Combine($repo, 'IpvsTools.psd1'))
    Import-Module IpvsTools

    # The one error a refused command gives: it must throw (terminating) and leave no other error behind.
    function Get-Refusal([scriptblock] $command) {
        $Error.Clear()
        $caught = $null
        try { & $command | Out-Null } catch { $caught = $_ }
        if (-not $caught) { throw "the command was not refused: $command" }
        $Error.Count | Should -Be 1 -Because "one refusal is one error, not: $($Error | ForEach-Object { $_.ToString() })"
        $caught
    }
}

Describe 'An unprivileged user' -Tag Unprivileged {
    It 'is not root (the run must really be unprivileged)' {
        (Invoke-TestTool id '-u' -Check).Output.Trim() | Should -Not -Be '0'
    }

    It 'imports the installed module by name, with every cmdlet of the manifest' {
        $m = Get-Module IpvsTools
        $m.ModuleBase | Should -BeLike '/usr/local/share/powershell/Modules/IpvsTools/*'
        $m.Version.ToString() | Should -Be $manifest.ModuleVersion
        @(Get-Command -Module IpvsTools).Count | Should -Be $manifest.CmdletsToExport.Count
    }

    It 'reads help and lists the cmdlets without root' {
        (Get-Help Get-Ipset).Synopsis | Should -Not -BeNullOrEmpty
        (Get-Command Get-IpvsService).OutputType.Name | Should -Contain 'IpvsTools.Ipvs.IpvsService'
    }

    # Permission errors are terminating (nothing after them could work): one ErrorRecord each.
    It 'Get-Ipset is refused with one PermissionDenied error that says to run pwsh as root' {
        $e = Get-Refusal { Get-Ipset }
        $e.FullyQualifiedErrorId | Should -BeLike 'GetIpsetPermissionDenied,*'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'CAP_NET_ADMIN'
        $e.Exception.Message | Should -Match 'sudo pwsh'
    }

    It 'New-Ipset is refused the same way' {
        $name = 'ivt-unpriv-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $e = Get-Refusal { New-Ipset $name -Type hash:ip }
        $e.FullyQualifiedErrorId | Should -BeLike 'NewIpsetPermissionDenied,*'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'sudo pwsh'
    }

    It 'entering another network namespace is refused with a message that says sudo pwsh' {
        $e = Get-Refusal { Get-Ipset -NetworkNamespace /proc/1/ns/net }
        $e.FullyQualifiedErrorId | Should -BeLike 'GetIpsetPermissionDenied,*'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'sudo pwsh'
    }

    It 'Get-KubeIptablesRule, with the iptables tools outside the user''s PATH, is refused for the permission, not for missing tools' {
        $env:PATH -split ':' | Should -Not -Contain '/usr/sbin' -Because "the run uses Debian's PATH for ordinary users"
        $e = Get-Refusal { Get-KubeIptablesRule }
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Not -Match 'not installed'
        $e.Exception.Message | Should -Match 'root|sudo'
    }
}
