<#
.SYNOPSIS
    The shipped compliance suites (tests/compliance/*.Tests.ps1) under real Pester, against real nodes: a network
    namespace synced from the sample cluster snapshot (every test case passes), and copies of it broken one way
    each (kube-ipvs0 missing, a set member missing, a rule missing, every real server at weight 0, Compare-KubeIpvs
    failing), where exactly the right test cases fail, each with the module's reason in the NUnit failure/message.

.DESCRIPTION
    Tag Lab: IPVS needs the lab kernel (tests/lab/lab.sh), root, and `Import-Module IpvsTools` by name. The eight
    nodes are set up first (BeforeAll), then ONE child pwsh (Pester cannot run inside a running Pester) with the
    Pester module this run uses runs the suites once per scenario, one Invoke-Pester and one NUnit XML each, as a
    CI system would; each It reads its scenario's XML. One child instead of six saves five pwsh starts with their
    Pester import and JIT, about a minute each under emulation (the file took 12 minutes with six).

    The synced node has no pods that answer, so Reachability is tested only where it must fail (weight 0): there
    the module's one-sentence Reason has to be the failure message.

    Run in the lab (as root, with the module where `Import-Module IpvsTools` finds it):
        flock /tmp/ipvstools-lab-run.lock bash tests/lab/lab.sh run --timeout 1500 -- \
            env PSModulePath=$PWD/out /opt/ipvstools/pwsh/pwsh -NoProfile -Command \
            "Import-Module /opt/ipvstools/pester/5.7.1/tools/Pester.psd1; Invoke-Pester -Path tests/pwsh/Compliance.Tests.ps1 -TagFilter Lab"
#>

BeforeAll {
    $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $mainSuite = [System.IO.Path]::Combine($root, 'tests', 'compliance', 'KubeProxyIpvs.Tests.ps1')
    $compareSuite = [System.IO.Path]::Combine($root, 'tests', 'compliance', 'KubeProxyIpvs.Compare.Tests.ps1')
    $anyModeSuite = [System.IO.Path]::Combine($root, 'tests', 'compliance', 'KubeProxy.Tests.ps1')
    $snapshot = [System.IO.Path]::Combine($root, 'tests', 'Shared', 'Snapshots', 'kind-cluster.yaml')
    # This pwsh, to start another: the .NET tool runs as `dotnet pwsh.dll`, an installed pwsh as itself.
    $pwshCommand = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
        @([Environment]::ProcessPath, [Environment]::GetCommandLineArgs()[0])
    } else { @([Environment]::ProcessPath) }
    $pesterPath = [System.IO.Path]::Combine((Get-Module Pester).ModuleBase, 'Pester.psd1')
    $work = [System.IO.Directory]::CreateTempSubdirectory('ipvstools-compliance-').FullName
    $namespaces = [System.Collections.Generic.List[string]]::new()

    Import-Module IpvsTools -ErrorAction Stop
    if (-not [System.IO.Directory]::Exists('/sys/module/ip_vs') -and -not (Get-IpvsInfo -ErrorAction SilentlyContinue)) {
        throw 'These tests need IPVS: run them in the lab (tests/lab/lab.sh run -- ...), as the header of this file says.'
    }

    function Invoke-Tool {
        param([Parameter(Mandatory)] [string] $Name, [string[]] $Arguments)
        $output = & $Name @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "$Name $($Arguments -join ' ') exited $LASTEXITCODE`: $output" }
        $output
    }

    # A node as kube-proxy in IPVS mode leaves it: a fresh network namespace with kind-worker's address on eth0,
    # synced from the sample snapshot with Sync-KubeIpvs.
    function New-SyncedNode {
        $name = 'ipvstools-pc-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        Invoke-Tool ip netns, add, $name | Out-Null
        $namespaces.Add($name)
        Invoke-Tool ip '-n', $name, link, set, lo, up | Out-Null
        Invoke-Tool ip '-n', $name, link, add, eth0, type, dummy | Out-Null
        Invoke-Tool ip '-n', $name, addr, add, '172.18.0.3/16', dev, eth0 | Out-Null
        Invoke-Tool ip '-n', $name, link, set, eth0, up | Out-Null
        Sync-KubeIpvs -Path $snapshot -NodeName kind-worker -NetworkNamespace $name -Confirm:$false -ErrorAction Stop | Out-Null
        $name
    }

    # Runs the suites as a user's CI does (New-PesterContainer -Data, NUnitXml), one Invoke-Pester per scenario, all
    # in ONE child pwsh (Pester cannot run inside a running Pester; under emulation each pwsh start with its Pester
    # import and JIT costs about a minute, so the scenarios share one). Takes an ordered dictionary scenario ->
    # containers; returns a hashtable scenario -> @{ Cases; Error }: Cases one object per test case, Name (the It's
    # expanded name), Result, Message (failure/message); Error when that scenario's run wrote no NUnit XML.
    function Invoke-SuiteRuns {
        param([Parameter(Mandatory)] [System.Collections.IDictionary] $Runs)
        $id = [guid]::NewGuid().ToString('N')
        $spec = [System.IO.Path]::Combine($work, "$id.json")
        $plan = @(foreach ($key in $Runs.Keys) {
            @{ Name = $key; Xml = [System.IO.Path]::Combine($work, "$id-$key.xml"); Containers = @($Runs[$key]) }
        })
        ConvertTo-Json -InputObject $plan -Depth 6 | Set-Content -LiteralPath $spec
        $script = @'
param($PesterPath, $Spec)
Import-Module $PesterPath -ErrorAction Stop
foreach ($run in (Get-Content -Raw -LiteralPath $Spec | ConvertFrom-Json -AsHashtable)) {
    try {
        $config = New-PesterConfiguration
        $config.Run.Container = @(foreach ($c in $run.Containers) { New-PesterContainer -Path $c.Path -Data $c.Data })
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
        $log = & $pwshCommand[0] @($pwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -File $runner $pesterPath $spec 2>&1
        $exit = $LASTEXITCODE
        $results = @{}
        foreach ($run in $plan) {
            if (-not [System.IO.File]::Exists($run.Xml)) {
                $results[$run.Name] = @{ Cases = @(); Error = "Pester wrote no results for scenario $($run.Name) ($exit): $log" }
                continue
            }
            if ($env:IPVSTOOLS_COMPLIANCE_DUMP) { Copy-Item -LiteralPath $run.Xml -Destination "$env:IPVSTOOLS_COMPLIANCE_DUMP.$($run.Name).xml" }
            $results[$run.Name] = @{ Error = $null; Cases = @(
                foreach ($case in ([xml](Get-Content -Raw -LiteralPath $run.Xml)).SelectNodes('//test-case')) {
                    # Pester writes a ' of an expanded <Name> as \' in the test case's name: read it back as the item's text.
                    [pscustomobject]@{ Name = $case.description.Replace("\'", "'"); Result = $case.result; Message = $case.SelectSingleNode('failure/message').InnerText }
                }) }
        }
        $results
    }

    # The failure message holds the text as it was written (no wildcard or regex reading of it).
    function Assert-Holds([string] $Message, [string] $Part) {
        $Message.Contains($Part) | Should -BeTrue -Because "the failure message should hold '$Part'; it is: $Message"
    }

    function Get-Failed($cases) { @($cases | Where-Object Result -ne 'Success' | ForEach-Object Name | Sort-Object) }

    # What failed, with its message: the reason an assertion on Get-Failed names when it does not hold.
    function Get-Report($cases) { ($cases | Where-Object Result -ne 'Success' | ForEach-Object { "[$($_.Result)] $($_.Name): $($_.Message)" }) -join "`n" }

    # The suites' parameters for a node; the main suite's layers run (Reachability only with -Target).
    function Get-Containers([string] $Node, [string[]] $Target = @(), [string] $Path = $snapshot) {
        @{ Path = $mainSuite; Data = @{ NetworkNamespace = $Node; Target = $Target; TimeoutSeconds = 1 } }
        @{ Path = $compareSuite; Data = @{ NetworkNamespace = $Node; Path = $Path; NodeName = 'kind-worker' } }
    }

    # Compare-KubeIpvs's differences of a node as the Compare suite words them, by the It of each layer.
    $compareIts = @{ Link = 'kube-ipvs0 and its addresses match'; Ipset = 'the KUBE-* sets and their members match'; Ipvs = 'the virtual servers and real servers match the EndpointSlices'; Iptables = 'the KUBE-* chains and jumps match' }
    function Get-Drift([string] $Node) {
        Compare-KubeIpvs -Path $snapshot -NodeName kind-worker -NetworkNamespace $Node -ErrorAction Stop |
            Where-Object { "$($_.Kind)" -ne 'ForeignVirtualServer' } |
            ForEach-Object { [pscustomobject]@{ It = $compareIts["$($_.Layer)"]; Line = "$($_.Kind) $($_.Key): expected $($_.Expected), actual $($_.Actual) ($($_.Action))" } }
    }

    # The eight nodes (six for the IPVS suites, two for the mode-neutral one): each synced, then broken at most one way with one write (the suites and the checks below only read).
    # All are set up first, then the suites run against all of them in one child pwsh; each It then checks its
    # scenario's NUnit results. A scenario whose setup failed fails its own It with that error.
    $missingSnapshot = [System.IO.Path]::Combine($work, 'no-such-cluster.yaml')
    $weightTarget = 'Tcp 10.96.100.20:80'
    $setup = [ordered]@{
        Synced = { New-SyncedNode }
        LinkMissing = { $n = New-SyncedNode; Invoke-Tool ip '-n', $n, link, del, kube-ipvs0 | Out-Null; $n }
        MemberMissing = { $n = New-SyncedNode; Invoke-Tool ip netns, exec, $n, ipset, del, KUBE-CLUSTER-IP, '10.96.0.10,udp:53' | Out-Null; $n }
        RuleMissing = { $n = New-SyncedNode; Invoke-Tool ip netns, exec, $n, iptables, '-w', '-t', nat, '-D', KUBE-SERVICES, '-s', 127.0.0.0/8, '-j', RETURN | Out-Null; $n }
        WeightZero = { $n = New-SyncedNode; Get-IpvsDestination -NetworkNamespace $n | Set-IpvsDestination -Weight 0 -ErrorAction Stop; $n }
        CompareFails = { New-SyncedNode }
        # The mode-neutral suite (KubeProxy.Tests.ps1) against an IPVS-mode node: synced, and with one real server gone.
        AnyModeSynced = { New-SyncedNode }
        AnyModeEndpointGone = {
            $n = New-SyncedNode
            Get-IpvsDestination -Service 'TCP 10.96.0.10:53' -NetworkNamespace $n -ErrorAction Stop | Select-Object -First 1 |
                Remove-IpvsDestination -Confirm:$false -ErrorAction Stop
            $n
        }
    }
    $nodes = @{}
    $setupErrors = @{}
    $runs = [ordered]@{}
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($key in $setup.Keys) {
        try { $nodes[$key] = & $setup[$key] } catch { $setupErrors[$key] = $_; continue }
        $runs[$key] = switch ($key) {
            WeightZero { Get-Containers $nodes[$key] -Target $weightTarget }
            CompareFails { @{ Path = $compareSuite; Data = @{ NetworkNamespace = $nodes[$key]; Path = $missingSnapshot; NodeName = 'kind-worker' } } }
            { $_ -like 'AnyMode*' } { @{ Path = $anyModeSuite; Data = @{ NetworkNamespace = $nodes[$key]; Path = $snapshot; NodeName = 'kind-worker'; ExpectedMode = 'Ipvs' } } }
            default { Get-Containers $nodes[$key] }
        }
    }
    $setupSeconds = $clock.Elapsed.TotalSeconds
    $suiteResults = if ($runs.Count) { Invoke-SuiteRuns $runs } else { @{} }
    Write-Host ('compliance: {0} nodes set up in {1:0} s; the suites ran against them in one pwsh in {2:0} s' -f $nodes.Count, $setupSeconds, ($clock.Elapsed.TotalSeconds - $setupSeconds))

    # A scenario's test cases under real Pester; its setup's or its run's error when it has none.
    function Get-ScenarioCases([string] $Key) {
        if ($setupErrors[$Key]) { throw $setupErrors[$Key] }
        if ($suiteResults[$Key].Error) { throw $suiteResults[$Key].Error }
        $suiteResults[$Key].Cases
    }
}

AfterAll {
    foreach ($ns in $namespaces) { & ip netns del $ns 2>$null }
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The shipped compliance suites under real Pester' -Tag 'Lab' {
    It 'pass on a synced node, and name no rule that is not on it' {
        $cases = @(Get-ScenarioCases Synced)
        $node = $nodes.Synced
        Get-Failed $cases | Should -BeNullOrEmpty -Because (($cases | Where-Object Result -ne 'Success' | ForEach-Object { "$($_.Name): $($_.Message)" }) -join '; ')
        $cases.Count | Should -BeGreaterThan 30
        # Rules kube-proxy writes only while their set has members are not on this node (the sample has empty
        # sets): they are left out, not passed under their names.
        $notRequired = @(Test-KubeIptablesRule -NetworkNamespace $node | Where-Object { "$($_.Status)" -eq 'NotRequired' } | ForEach-Object { "$($_.Table) $($_.Chain) $($_.Rule)".TrimEnd() })
        $notRequired | Should -Not -BeNullOrEmpty -Because 'the sample node has empty conditional sets, so this case is exercised'
        @($cases.Name | Where-Object { $_ -in $notRequired }) | Should -BeNullOrEmpty
        $present = @(Test-KubeIptablesRule -NetworkNamespace $node | Where-Object { "$($_.Status)" -eq 'Present' } | ForEach-Object { "$($_.Table) $($_.Chain) $($_.Rule)".TrimEnd() })
        foreach ($name in $present) { $cases.Name | Should -Contain $name }
    }

    It 'fail exactly the kube-ipvs0 test cases when kube-ipvs0 does not exist, each with the module''s reason' {
        $cases = @(Get-ScenarioCases LinkMissing)
        $node = $nodes.LinkMissing
        $reason = "$(Get-KubeIpvsInterface -NetworkNamespace $node -ErrorAction SilentlyContinue -ErrorVariable e 2>$null; $e[0])"
        $reason | Should -Not -BeNullOrEmpty
        $drift = @(Get-Drift $node)
        @($drift.It | Sort-Object -Unique) | Should -Be @($compareIts.Link)
        Get-Failed $cases | Should -Be (@('exists as a dummy link', 'is left down', 'holds an address for every virtual server at a ClusterIP in KUBE-CLUSTER-IP', $compareIts.Link) | Sort-Object) -Because (Get-Report $cases)
        foreach ($name in 'exists as a dummy link', 'is left down', 'holds an address for every virtual server at a ClusterIP in KUBE-CLUSTER-IP') {
            Assert-Holds ($cases | Where-Object Name -eq $name).Message "$reason"
        }
        $message = ($cases | Where-Object Name -eq $compareIts.Link).Message
        foreach ($line in $drift.Line) { Assert-Holds $message "$line" }
    }

    It 'fail exactly the sets test case when a member is missing, with the difference' {
        $cases = @(Get-ScenarioCases MemberMissing)
        $node = $nodes.MemberMissing
        $drift = @(Get-Drift $node)
        @($drift.It | Sort-Object -Unique) | Should -Be @($compareIts.Ipset)
        Get-Failed $cases | Should -Be @($compareIts.Ipset) -Because (Get-Report $cases)
        ($cases | Where-Object Name -eq $compareIts.Ipset).Message | Should -BeLike '*10.96.0.10,udp:53*'
        foreach ($line in $drift.Line) { Assert-Holds ($cases | Where-Object Name -eq $compareIts.Ipset).Message "$line" }
    }

    It 'fail exactly the rule''s test cases when a rule is missing, with its purpose and the difference' {
        $cases = @(Get-ScenarioCases RuleMissing)
        $node = $nodes.RuleMissing
        $check = Test-KubeIptablesRule -NetworkNamespace $node -Missing
        @($check).Count | Should -Be 1
        $ruleCase = "$($check.Table) $($check.Chain) $($check.Rule)"
        $ruleCase | Should -Be 'nat KUBE-SERVICES -s 127.0.0.0/8 -j RETURN'
        $drift = @(Get-Drift $node)
        Get-Failed $cases | Should -Be (@($ruleCase) + @($drift.It | Sort-Object -Unique) | Sort-Object) -Because (Get-Report $cases)
        Assert-Holds ($cases | Where-Object Name -eq $ruleCase).Message "it is missing: $($check.Purpose)"
        foreach ($d in $drift) { Assert-Holds ($cases | Where-Object Name -eq $d.It).Message "$($d.Line)" }
    }

    It 'fail exactly the real-server and reachability test cases when every real server has weight 0, with the module''s reason' {
        $cases = @(Get-ScenarioCases WeightZero)
        $node = $nodes.WeightZero
        $target = $weightTarget
        $reason = (Test-ServiceReachability -Address 10.96.100.20 -Port 80 -Protocol Tcp -TimeoutSeconds 1 -NetworkNamespace $node).Reason
        $reason | Should -BeLike '*weight 0*'
        $drift = @(Get-Drift $node)
        @($drift.It | Sort-Object -Unique) | Should -Be @($compareIts.Ipvs)
        Get-Failed $cases | Should -Be (@("$target is reachable", $compareIts.Ipvs) | Sort-Object) -Because (Get-Report $cases)
        Assert-Holds ($cases | Where-Object Name -eq "$target is reachable").Message "$reason"
        foreach ($line in $drift.Line) { Assert-Holds ($cases | Where-Object Name -eq $compareIts.Ipvs).Message "$line" }
    }

    It 'fail every Compare test case with Compare-KubeIpvs''s own error when it cannot compare' {
        $cases = @(Get-ScenarioCases CompareFails)
        $node = $nodes.CompareFails
        $missing = $missingSnapshot
        $reason = $null
        try { Compare-KubeIpvs -Path $missing -NodeName kind-worker -NetworkNamespace $node -ErrorAction Stop } catch { $reason = $_.Exception.Message }
        $reason | Should -Not -BeNullOrEmpty
        $cases.Count | Should -Be 5
        foreach ($case in $cases) {
            $case.Result | Should -Be 'Failure'
            Assert-Holds $case.Message "Compare-KubeIpvs failed, nothing was compared: $reason"
            $case.Message.Contains('setup in some parent block failed') | Should -BeFalse
        }
    }

    It 'pass the mode-neutral suite on a synced IPVS-mode node, and fail exactly the front end''s Endpoints case when a real server is gone' {
        $cases = @(Get-ScenarioCases AnyModeSynced)
        Get-Failed $cases | Should -BeNullOrEmpty -Because (Get-Report $cases)
        $cases.Count | Should -BeGreaterThan 10
        $cases.Name | Should -Contain 'kube-proxy programs the node in Ipvs mode'
        @($cases.Name | Where-Object { $_ -like 'TCP 10.96.0.10:53 *' }).Count | Should -Be 3 -Because 'kube-dns''s TCP front end has a FrontEnd, an Endpoints and an Affinity case'

        $broken = @(Get-ScenarioCases AnyModeEndpointGone)
        $failed = @($broken | Where-Object Result -ne 'Success')
        $failed.Count | Should -Be 1 -Because (Get-Report $broken)
        $failed[0].Name | Should -BeLike 'TCP 10.96.0.10:53 *'
        $failed[0].Message | Should -Match 'Endpoints'
    }
}
