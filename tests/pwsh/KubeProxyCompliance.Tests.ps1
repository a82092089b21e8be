<#
.SYNOPSIS
    The mode-neutral compliance suite (tests/compliance/KubeProxy.Tests.ps1) under real Pester, against nodes in
    nftables and iptables mode on the host kernel: kube-proxy's own expected rulesets (tests/Shared/Fixtures/KubeProxy,
    from its proxier tests) loaded into throwaway namespaces and the cluster those tests used
    (tests/Shared/Snapshots/kube-proxy-overall.json). As loaded, every test case passes in both modes; broken one way
    each (an endpoint gone from an nftables chain, a ClusterIP rule gone from iptables, the node in another mode
    than expected, no cluster to compare with), exactly the right test cases fail, each with the module's reason
    in the NUnit failure/message.

.DESCRIPTION
    Tag Host: root on the host kernel (nf_tables, iptables), `Import-Module IpvsTools` by name (tests/pwsh/run.sh
    installs the package). The nodes are set up first, then ONE child pwsh (Pester cannot run inside a running
    Pester) runs the suite once per scenario with New-PesterContainer -Data and writes one NUnit XML each, as a CI
    system would; each It reads its scenario's XML.
#>

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $root = Get-TestRepoRoot
    $suite = [System.IO.Path]::Combine($root, 'tests', 'compliance', 'KubeProxy.Tests.ps1')
    $snapshot = [System.IO.Path]::Combine($root, 'tests', 'Shared', 'Snapshots', 'kube-proxy-overall.json')
    $fixtures = [System.IO.Path]::Combine($root, 'tests', 'Shared', 'Fixtures', 'KubeProxy')
    $pwshCommand = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
        @([Environment]::ProcessPath, [Environment]::GetCommandLineArgs()[0])
    } else { @([Environment]::ProcessPath) }
    $pesterPath = [System.IO.Path]::Combine((Get-Module Pester).ModuleBase, 'Pester.psd1')
    $work = [System.IO.Directory]::CreateTempSubdirectory('ipvstools-kp-compliance-').FullName
    $namespaces = [System.Collections.Generic.List[string]]::new()
    Import-Module IpvsTools -ErrorAction Stop

    function Invoke-Ns([string] $Ns, [string[]] $Command) {
        Invoke-TestTool ip (@('netns', 'exec', $Ns) + $Command) -Check | Out-Null
    }

    # A node: a fresh namespace with one of kube-proxy's expected rulesets loaded as kube-proxy would write it.
    function New-Node([ValidateSet('Nftables', 'Iptables')] [string] $Mode) {
        $name = 'ipvstools-kpc-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        Invoke-TestTool ip netns, add, $name -Check | Out-Null
        $namespaces.Add($name)
        Invoke-Ns $name ip, link, set, lo, up
        if ($Mode -eq 'Nftables') { Invoke-Ns $name nft, '-f', ([System.IO.Path]::Combine($fixtures, 'nftables-overall.nft')) }
        else { Invoke-Ns $name iptables-restore, ([System.IO.Path]::Combine($fixtures, 'iptables-overall.rules')) }
        $name
    }

    # Runs the suite once per scenario in ONE child pwsh, NUnit XML each; returns scenario -> @{ Cases; Error },
    # Cases one object per test case: Name (Describe.It with the It's expanded name), Result, Message.
    function Invoke-SuiteRuns([System.Collections.IDictionary] $Runs) {
        $id = [guid]::NewGuid().ToString('N')
        $spec = [System.IO.Path]::Combine($work, "$id.json")
        $plan = @(foreach ($key in $Runs.Keys) { @{ Name = $key; Xml = [System.IO.Path]::Combine($work, "$id-$key.xml"); Data = $Runs[$key] } })
        ConvertTo-Json -InputObject $plan -Depth 6 | Set-Content -LiteralPath $spec
        $script = @'
param($PesterPath, $Spec, $Suite)
Import-Module $PesterPath -ErrorAction Stop
foreach ($run in (Get-Content -Raw -LiteralPath $Spec | ConvertFrom-Json -AsHashtable)) {
    try {
        $config = New-PesterConfiguration
        $config.Run.Container = New-PesterContainer -Path $Suite -Data $run.Data
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $run.Xml
        $config.Output.Verbosity = 'None'
        Invoke-Pester -Configuration $config
    }
    catch { [Console]::Error.WriteLine("scenario $($run.Name): Invoke-Pester failed: $_") }
}
'@
        $runner = [System.IO.Path]::Combine($work, "$id.ps1")
        Set-Content -LiteralPath $runner -Value $script
        $log = & $pwshCommand[0] @($pwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -File $runner $pesterPath $spec $suite 2>&1
        $results = @{}
        foreach ($run in $plan) {
            if (-not [System.IO.File]::Exists($run.Xml)) {
                $results[$run.Name] = @{ Cases = @(); Error = "Pester wrote no results for scenario $($run.Name) ($LASTEXITCODE): $log" }
                continue
            }
            $results[$run.Name] = @{ Error = $null; Cases = @(
                foreach ($case in ([xml](Get-Content -Raw -LiteralPath $run.Xml)).SelectNodes('//test-case')) {
                    [pscustomobject]@{ Name = $case.name.Replace("\'", "'"); Result = $case.result; Message = $case.SelectSingleNode('failure/message').InnerText }
                }) }
        }
        $results
    }

    function Get-Failed($cases) { @($cases | Where-Object Result -ne 'Success' | ForEach-Object Name | Sort-Object) }
    function Get-Report($cases) { ($cases | Where-Object Result -ne 'Success' | ForEach-Object { "[$($_.Result)] $($_.Name): $($_.Message)" }) -join "`n" }
    function Assert-Holds([string] $Message, [string] $Part) {
        $Message.Contains($Part) | Should -BeTrue -Because "the failure message should hold '$Part'; it is: $Message"
    }

    $checks = @{
        FrontEnd = 'Each Service front end is programmed'
        Endpoints = 'Each front end sends to the endpoints of its EndpointSlices'
        Affinity = 'Each front end has its Service''s session affinity'
        Mode = 'kube-proxy runs in the expected mode'
    }
    # The difference lines Compare-KubeProxyService gives for a node, as the suite words its failures.
    function Get-Drift([string] $Node) {
        @(Compare-KubeProxyService -Path $snapshot -NodeName test-node -NetworkNamespace $Node -ErrorAction Stop | ForEach-Object { "$_" })
    }

    $missingSnapshot = [System.IO.Path]::Combine($work, 'no-such-cluster.json')
    $setup = [ordered]@{
        NftablesSynced = { New-Node Nftables }
        IptablesSynced = { New-Node Iptables }
        EndpointGone = {
            $n = New-Node Nftables
            Invoke-Ns $n nft, flush, chain, ip, kube-proxy, 'service-LAUZTJTB-ns4/svc4/tcp/p80'
            Invoke-Ns $n nft, add, rule, ip, kube-proxy, 'service-LAUZTJTB-ns4/svc4/tcp/p80', numgen, random, mod, 1, vmap, '{ 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 }'
            $n
        }
        RuleGone = {
            $n = New-Node Iptables
            Invoke-Ns $n iptables, '-w', '-t', nat, '-D', KUBE-SERVICES, '-m', comment, '--comment', 'ns1/svc1:p80 cluster IP', '-m', tcp, '-p', tcp, '-d', 172.30.0.41, '--dport', 80, '-j', KUBE-SVC-XPGD46QRK7WJZT7O
            $n
        }
        CompareFails = { New-Node Nftables }
    }
    $nodes = @{}
    $setupErrors = @{}
    $runs = [ordered]@{}
    foreach ($key in $setup.Keys) {
        try { $nodes[$key] = & $setup[$key] } catch { $setupErrors[$key] = $_; continue }
        $data = @{ NetworkNamespace = $nodes[$key]; Path = @($snapshot); NodeName = 'test-node' }
        switch ($key) {
            NftablesSynced { $data.ExpectedMode = 'Nftables' }
            IptablesSynced { $data.ExpectedMode = 'Iptables' }
            CompareFails { $data.Path = @($missingSnapshot) }
        }
        $runs[$key] = $data
        # The synced nftables node, checked for the wrong mode: only the mode's test case fails.
        if ($key -eq 'NftablesSynced') { $runs.WrongMode = @{ NetworkNamespace = $nodes[$key]; Path = @($snapshot); NodeName = 'test-node'; ExpectedMode = 'Iptables' } }
    }
    $suiteResults = if ($runs.Count) { Invoke-SuiteRuns $runs } else { @{} }

    function Get-ScenarioCases([string] $Key) {
        $setupKey = if ($Key -eq 'WrongMode') { 'NftablesSynced' } else { $Key }
        if ($setupErrors[$setupKey]) { throw $setupErrors[$setupKey] }
        if ($suiteResults[$Key].Error) { throw $suiteResults[$Key].Error }
        $suiteResults[$Key].Cases
    }
}

AfterAll {
    foreach ($ns in $namespaces) { & ip netns del $ns 2>$null }
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The mode-neutral compliance suite under real Pester' -Tag 'Host' {
    It 'passes on a node in nftables mode: one test case per front end and check, and the mode' {
        $cases = @(Get-ScenarioCases NftablesSynced)
        Get-Failed $cases | Should -BeNullOrEmpty -Because (Get-Report $cases)
        $frontEnds = @(Get-KubeProxyService -NetworkNamespace $nodes.NftablesSynced)
        $frontEnds.Count | Should -Be 13
        $cases.Count | Should -Be (3 * $frontEnds.Count + 1)
        foreach ($fe in $frontEnds) {
            $name = "$($fe.FrontEnd) $($fe.Service):$($fe.PortName)"
            foreach ($check in 'FrontEnd', 'Endpoints', 'Affinity') { $cases.Name | Should -Contain "$($checks[$check]).$name" }
        }
        $cases.Name | Should -Contain "$($checks.Mode).kube-proxy programs the node in Nftables mode"
    }

    It 'passes on a node in iptables mode' {
        $cases = @(Get-ScenarioCases IptablesSynced)
        Get-Failed $cases | Should -BeNullOrEmpty -Because (Get-Report $cases)
        $cases.Count | Should -Be 40
        $cases.Name | Should -Contain "$($checks.Mode).kube-proxy programs the node in Iptables mode"
    }

    It 'fails exactly the endpoints test cases of the front ends whose endpoint is gone, each with the difference' {
        $cases = @(Get-ScenarioCases EndpointGone)
        $drift = @(Get-Drift $nodes.EndpointGone)
        $drift.Count | Should -Be 2
        Get-Failed $cases | Should -Be @("$($checks.Endpoints).TCP 172.30.0.44:80 ns4/svc4:p80", "$($checks.Endpoints).TCP 192.168.99.33:80 ns4/svc4:p80") -Because (Get-Report $cases)
        foreach ($line in $drift) {
            $frontEnd = ($line -split ' ', 4)[1..2] -join ' '
            Assert-Holds ($cases | Where-Object Name -eq "$($checks.Endpoints).$frontEnd ns4/svc4:p80").Message $line
        }
    }

    It 'fails exactly the front end test case of a ClusterIP whose rule is gone, with the difference' {
        $cases = @(Get-ScenarioCases RuleGone)
        $drift = @(Get-Drift $nodes.RuleGone)
        $drift | Should -Be @('Missing TCP 172.30.0.41:80 ns1/svc1:p80: expected ClusterIP -> 10.180.0.1:80, actual (nothing)')
        Get-Failed $cases | Should -Be @("$($checks.FrontEnd).TCP 172.30.0.41:80 ns1/svc1:p80") -Because (Get-Report $cases)
        Assert-Holds ($cases | Where-Object Result -ne 'Success').Message $drift[0]
    }

    It 'fails exactly the mode test case when the node is in another mode than expected' {
        $cases = @(Get-ScenarioCases WrongMode)
        Get-Failed $cases | Should -Be @("$($checks.Mode).kube-proxy programs the node in Iptables mode") -Because (Get-Report $cases)
        $found = "$((Get-KubeProxyService -NetworkNamespace $nodes.NftablesSynced)[0].Mode)"
        $found | Should -Be 'Nftables'
        Assert-Holds ($cases | Where-Object Result -ne 'Success').Message "on the node in $found mode, not Iptables mode"
    }

    It 'fails every check with Compare-KubeProxyService''s own error when it cannot compare' {
        $cases = @(Get-ScenarioCases CompareFails)
        $reason = $null
        try { Compare-KubeProxyService -Path $missingSnapshot -NodeName test-node -NetworkNamespace $nodes.CompareFails -ErrorAction Stop } catch { $reason = $_.Exception.Message }
        $reason | Should -Not -BeNullOrEmpty
        $cases.Count | Should -Be 3
        foreach ($case in $cases) {
            $case.Result | Should -Be 'Failure'
            Assert-Holds $case.Message "Compare-KubeProxyService failed, nothing was compared: $reason"
        }
        @($cases.Name | ForEach-Object { ($_ -split '\.', 2)[0] } | Sort-Object) | Should -Be @($checks.Affinity, $checks.Endpoints, $checks.FrontEnd | Sort-Object)
    }
}
