<#
.SYNOPSIS
    The shipped migration suite (tests/compliance/KubeProxyMigration.Tests.ps1) under real Pester in real pwsh, against
    a throwaway namespace of the host kernel that is "after the switch": kube-proxy's own nftables ruleset
    (tests/Shared/Fixtures/KubeProxy/nftables-overall.nft) with IPVS mode's KUBE-CLUSTER-IP set and KUBE-IPVS-FILTER
    chain left behind.

.DESCRIPTION
    Tag Host. One It per finding of Test-KubeProxyMigration, a Context per check tagged with its name, warnings
    Inconclusive (failed with -WarningFails), -TagFilter picking checks. Imports the module by name. Needs root.
        Invoke-Pester -Path tests/pwsh/Migration.Tests.ps1 -TagFilter Host
#>

BeforeAll {
    $root = if ($env:IPVSTOOLS_REPO) { $env:IPVSTOOLS_REPO } else { [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..')) }
    $suite = [System.IO.Path]::Combine($root, 'tests', 'compliance', 'KubeProxyMigration.Tests.ps1')
    $fixture = [System.IO.Path]::Combine($root, 'tests', 'Shared', 'Fixtures', 'KubeProxy', 'nftables-overall.nft')
    Import-Module IpvsTools -ErrorAction Stop

    function Invoke-Tool {
        param([Parameter(Mandatory)] [string] $Name, [string[]] $Arguments, [string] $InputText)
        $output = if ($PSBoundParameters.ContainsKey('InputText')) { $InputText | & $Name @Arguments 2>&1 } else { & $Name @Arguments 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "$Name $($Arguments -join ' ') exited $LASTEXITCODE`: $output" }
        $output
    }

    $ns = 'ipvstools-migration-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Invoke-Tool ip netns, add, $ns | Out-Null
    Invoke-Tool ip netns, exec, $ns, nft, '-f', $fixture | Out-Null
    Invoke-Tool ip netns, exec, $ns, ipset, create, KUBE-CLUSTER-IP, 'hash:ip,port' | Out-Null
    Invoke-Tool ip netns, exec, $ns, iptables-restore, '--noflush' -InputText "*filter`n:KUBE-IPVS-FILTER - [0:0]`n-A INPUT -j KUBE-IPVS-FILTER`nCOMMIT`n" | Out-Null

    function Invoke-Suite([hashtable] $Data, [string[]] $Tag) {
        $configuration = New-PesterConfiguration
        $configuration.Run.Container = New-PesterContainer -Path $suite -Data (@{ NetworkNamespace = $ns } + $Data)
        $configuration.Run.PassThru = $true
        $configuration.Output.Verbosity = 'None'
        if ($Tag) { $configuration.Filter.Tag = $Tag }
        Invoke-Pester -Configuration $configuration
    }
}

AfterAll {
    if ($ns) { & ip netns delete $ns 2>&1 | Out-Null }
}

Describe 'The shipped migration suite' -Tag 'Host' {
    It 'has one test per finding, in a Context per check, and marks the leftovers inconclusive' {
        $findings = @(Test-KubeProxyMigration -NetworkNamespace $ns)
        $result = Invoke-Suite @{}
        $result.TotalCount | Should -Be $findings.Count
        $result.InconclusiveCount | Should -Be @($findings | Where-Object Status -eq Warning).Count
        $result.FailedCount | Should -Be @($findings | Where-Object Status -eq Blocker).Count
        $leftovers = @($result.Tests | Where-Object { $_.Block.Name -eq 'Leftover' })
        @($leftovers.ExpandedName | Sort-Object) | Should -Be @('Warning filter/KUBE-IPVS-FILTER (iptables)', 'Warning KUBE-CLUSTER-IP')
        $leftovers | ForEach-Object { $_.Result | Should -Be 'Inconclusive' }
    }

    It 'fails on warnings with -WarningFails and runs only the tagged checks with -TagFilter' {
        $result = Invoke-Suite @{ WarningFails = $true } -Tag 'Leftover'
        @($result.Tests | Where-Object Result -ne 'NotRun').Count | Should -Be 2
        $result.FailedCount | Should -Be 2
        $result.Failed[0].ErrorRecord[0].ToString() | Should -Match 'Remove-KubeIpvs -Force'
    }
}
