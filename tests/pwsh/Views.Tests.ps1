<#
.SYNOPSIS
    Every output type's default view, as a user sees it: rendered by real pwsh in a pseudo-terminal of 80 and of
    120 columns (util-linux `script`, `stty cols N`), with colours and all, then read back. No key column may be
    dropped, wrapped or cut: each expected line (its key values in column order) has to be one line of the screen,
    and no line may be wider than the terminal.

.DESCRIPTION
    Tag Host: ipsets, iptables rules and a link in a throwaway network namespace of the host kernel (root).
    Tag Lab: IPVS objects (services, real servers, connections, sync daemons, plans, changes, differences,
    reachability) in a namespace of the lab kernel (tests/lab/lab.sh).
    Both import the module by name (`Import-Module IpvsTools`), in this process and in the rendering one.
    Set IPVSTOOLS_VIEWS_DUMP to a folder to keep the rendered screens. Needs root, util-linux's `script`.

    Run (as root, with the module where `Import-Module IpvsTools` finds it, e.g. PSModulePath=$PWD/out after
    `dotnet build -c Release`, or installed from the package):
        Invoke-Pester -Path tests/pwsh/Views.Tests.ps1 -TagFilter Host                      # on the host
        flock /tmp/ipvstools-lab-run.lock bash tests/lab/lab.sh run --timeout 1500 -- \
            env PSModulePath=$PWD/out /opt/ipvstools/pwsh/pwsh -NoProfile -Command \
            "Import-Module /opt/ipvstools/pester/5.7.1/tools/Pester.psd1; Invoke-Pester -Path tests/pwsh/Views.Tests.ps1 -TagFilter Lab"
#>

BeforeAll {
    # This pwsh, to start another: the .NET tool runs as `dotnet pwsh.dll`, an installed pwsh as itself.
    $pwshCommand = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
        @([Environment]::ProcessPath, [Environment]::GetCommandLineArgs()[0])
    } else { @([Environment]::ProcessPath) }
    $work = [System.IO.Directory]::CreateTempSubdirectory('ipvstools-views-').FullName

    function Invoke-Tool {
        param([Parameter(Mandatory)] [string] $Name, [string[]] $Arguments, [string] $InputText)
        $output = if ($PSBoundParameters.ContainsKey('InputText')) { $InputText | & $Name @Arguments 2>&1 } else { & $Name @Arguments 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "$Name $($Arguments -join ' ') exited $LASTEXITCODE`: $output" }
        $output
    }

    function New-Namespace([string] $Prefix) {
        $name = "ipvstools-$Prefix-" + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Invoke-Tool ip netns, add, $name | Out-Null
        Invoke-Tool ip '-n', $name, link, set, lo, up | Out-Null
        $name
    }

    # Renders each command (name -> command line) in a fresh pwsh whose terminal is $Columns wide, as typed at
    # a prompt: one pipeline per command, formatted by Out-Default. Returns name -> the screen's lines, with
    # the terminal's escape sequences taken out.
    function Show-InTerminal {
        param([int] $Columns, [System.Collections.Specialized.OrderedDictionary] $Commands)
        $script = [System.Text.StringBuilder]::new()
        [void]$script.AppendLine('Import-Module IpvsTools -ErrorAction Stop')
        [void]$script.AppendLine('if ($Host.UI.RawUI.WindowSize.Width -ne ' + $Columns + ') { throw "the terminal is $($Host.UI.RawUI.WindowSize.Width) columns wide" }')
        foreach ($name in $Commands.Keys) {
            [void]$script.AppendLine("Write-Host '@@@ $name'")
            [void]$script.AppendLine("$($Commands[$name]) | Out-Default")
        }
        [void]$script.AppendLine("Write-Host '@@@ end'")
        $file = [System.IO.Path]::Combine($work, "render-$Columns.ps1")
        [System.IO.File]::WriteAllText($file, $script.ToString())
        $inner = "stty cols $Columns rows 500; exec $(($pwshCommand | ForEach-Object { "'$_'" }) -join ' ') -NoProfile -NoLogo -NonInteractive -File '$file'"
        $raw = (& script -qec $inner /dev/null 2>&1) -join "`n"
        $text = $raw -replace '\x1b\[[0-9;?]*[ -/]*[@-~]', '' -replace '\x1b[=>]', '' -replace "`r", ''
        if ($env:IPVSTOOLS_VIEWS_DUMP) { [System.IO.File]::WriteAllText([System.IO.Path]::Combine($env:IPVSTOOLS_VIEWS_DUMP, "views-$Columns.txt"), $text) }
        if ($text -notmatch '@@@ end') { throw "pwsh in a $Columns-column terminal did not finish: $text" }
        $screens = @{}
        $current = $null
        foreach ($line in $text -split "`n") {
            if ($line -match '^@@@ (.+)$') { $current = $Matches[1]; $screens[$current] = [System.Collections.Generic.List[string]]::new(); continue }
            if ($current) { $screens[$current].Add($line) }
        }
        $screens
    }

    # Asserts that each expected line matches one line of the screen, in order, and that no line is wider than
    # the terminal (a wider one would wrap at the terminal's edge).
    function Assert-Screen {
        param([string[]] $Screen, [string[]] $Expected, [int] $Columns, [string] $What)
        $Screen | Should -Not -BeNullOrEmpty -Because "$What rendered nothing"
        $errors = @($Screen | Where-Object { $_ -match 'Exception|Error:|error:' })
        $errors | Should -BeNullOrEmpty -Because "$What rendered without an error"
        $wide = @($Screen | Where-Object { $_.Length -gt $Columns })
        $wide | Should -BeNullOrEmpty -Because "no line of $What may be wider than the $Columns-column terminal"
        $at = 0
        foreach ($pattern in $Expected) {
            $found = $false
            for ($i = $at; $i -lt $Screen.Count; $i++) {
                if ($Screen[$i] -match $pattern) { $at = $i + 1; $found = $true; break }
            }
            $found | Should -BeTrue -Because "$What at $Columns columns has a line matching '$pattern' (after the previous one); the screen:`n$($Screen -join "`n")"
        }
    }
}

AfterAll {
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Default views of ipsets, iptables rules and kube-ipvs0 in a terminal' -Tag 'Host' {
    BeforeAll {
        Import-Module IpvsTools -ErrorAction Stop
        $ns = New-Namespace 'vh'
        Invoke-Tool -InputText @'
create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
add KUBE-CLUSTER-IP 10.96.0.10,udp:53
add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16
create KUBE-LOAD-BALANCER-FW hash:ip,port family inet hashsize 1024 maxelem 65536
add KUBE-LOAD-BALANCER-FW 203.0.113.10,tcp:80
create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
add KUBE-NODE-PORT-TCP 30080
'@ -Name ip -Arguments netns, exec, $ns, ipset, restore | Out-Null
        $rules = [System.IO.Path]::Combine($work, 'rules')
        [System.IO.File]::WriteAllText($rules, @'
*nat
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ
-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
COMMIT
*filter
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SOURCE-RANGES-FIREWALL - [0:0]
-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
-A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL
-A KUBE-SOURCE-RANGES-FIREWALL -j DROP
COMMIT

'@)
        Invoke-Tool ip netns, exec, $ns, iptables-restore, '-w', '--noflush', $rules | Out-Null
        # kube-ipvs0 as a veth (the host kernel has no dummy links): Get-KubeIpvsInterface reads any link of that name.
        Invoke-Tool ip '-n', $ns, link, add, kube-ipvs0, type, veth, peer, name, kube-peer | Out-Null
        foreach ($a in '10.96.0.10/32', '10.96.100.20/32', 'fd00:10:96::a/128') { Invoke-Tool ip '-n', $ns, addr, add, $a, dev, kube-ipvs0, nodad | Out-Null }

        $n = "-NetworkNamespace $ns"
        $commands = [ordered]@{
            'Get-Ipset' = "Get-Ipset $n"
            'IpsetMember' = "(Get-Ipset KUBE-CLUSTER-IP $n).Members"
            'Test-IpsetMember' = "Test-IpsetMember KUBE-CLUSTER-IP '10.96.0.10,udp:53', '10.96.0.99,tcp:80' -Detailed $n"
            'Get-KubeIpset' = "Get-KubeIpset $n"
            'KubeIpsetMember' = "Get-KubeIpset KUBE-LOAD-BALANCER-SOURCE-CIDR $n | ForEach-Object Members"
            'Get-KubeIptablesRule' = "Get-KubeIptablesRule KUBE-SERVICES, KUBE-PROXY-FIREWALL $n"
            'Test-KubeIptablesRule' = "Test-KubeIptablesRule $n"
            'Get-KubeIpvsInterface' = "Get-KubeIpvsInterface $n"
        }
        $screens = @{ 80 = Show-InTerminal 80 $commands; 120 = Show-InTerminal 120 $commands }
    }

    AfterAll {
        if ($ns) { & ip netns del $ns 2>$null }
    }

    It '<What> at <Columns> columns' -ForEach @(
        foreach ($columns in 80, 120) {
            @{ Columns = $columns; What = 'Get-Ipset'; Expected = @(
                    '^Name\s+Type\s+Family\s+Entries\s+References\s*$'
                    '^KUBE-CLUSTER-IP\s+hash:ip,port\s+inet\s+2\s+\d+\s*$'
                    '^KUBE-LOAD-BALANCER-SOURCE-CIDR\s+hash:ip,port,net\s+inet\s+1\s+\d+\s*$'
                    '^KUBE-NODE-PORT-TCP\s+bitmap:port\s+1\s+\d+\s*$') }
            @{ Columns = $columns; What = 'IpsetMember'; Expected = @(
                    '^\s*Set: KUBE-CLUSTER-IP\s*$', '^Element\s+Options\s*$', '^10\.96\.0\.10,(tcp|udp):53\s*$', '^10\.96\.0\.10,(tcp|udp):53\s*$') }
            @{ Columns = $columns; What = 'Test-IpsetMember'; Expected = @(
                    '^SetName\s+IsMember\s+Member\s*$'
                    '^KUBE-CLUSTER-IP\s+True\s+10\.96\.0\.10,udp:53\s*$'
                    '^KUBE-CLUSTER-IP\s+False\s+10\.96\.0\.99,tcp:80\s*$') }
            @{ Columns = $columns; What = 'Get-KubeIpset'; Expected = @(
                    '^Name\s+Type\s+Entries\s+Refs\s+Description\s*$'
                    '^KUBE-CLUSTER-IP\s+hash:ip,port\s+2\s+\d+\s+\S'
                    '^KUBE-LOAD-BALANCER-SOURCE-CIDR\s+hash:ip,port,net\s+1\s+\d+\s+\S') }
            @{ Columns = $columns; What = 'KubeIpsetMember'; Expected = @(
                    '^\s*Set: KUBE-LOAD-BALANCER-SOURCE-CIDR\s*$', '^Member\s+VirtualServer\s*$', '^203\.0\.113\.10,tcp:80,192\.168\.0\.0/16(\s|$)') }
            @{ Columns = $columns; What = 'Get-KubeIptablesRule'; Expected = @(
                    '^\s*Chain: IPv4 filter KUBE-PROXY-FIREWALL\s*$'
                    '^\s*#\s+Packets\s+Bytes\s+Target\s+Rule\s*$'
                    '^\s*1\s+\d+\s+\d+\s+KUBE-SOURCE-RANGES-FIREWALL\s+-m\s'
                    '^\s*Chain: IPv4 nat KUBE-SERVICES\s*$'
                    '^\s*#\s+Packets\s+Bytes\s+Target\s+Rule\s*$'
                    '^\s*1\s+\d+\s+\d+\s+RETURN\s+-s 127\.0\.0\.0/8 -j RETURN\s*$'
                    '^\s*2\s+\d+\s+\d+\s+KUBE-MARK-MASQ\s+-m\s'
                    '^\s*3\s+\d+\s+\d+\s+ACCEPT\s+-m\s') }
            @{ Columns = $columns; What = 'Test-KubeIptablesRule'; Expected = @(
                    '^Status\s+Kind\s+Table\s+Chain\s+Rule\s*$'
                    '^Present\s+Chain\s+nat\s+KUBE-SERVICES\s*$'
                    '^Missing\s+Chain\s+nat\s+KUBE-POSTROUTING\s*$'
                    '^Present\s+Chain\s+filter\s+KUBE-SOURCE-RANGES-FIREWALL\s*$'
                    '^Present\s+Rule\s+nat\s+KUBE-SERVICES\s+-s 127\.0\.0\.0/8 -j RETURN\s*$') }
            @{ Columns = $columns; What = 'Get-KubeIpvsInterface'; Expected = @(
                    '^Name\s+Index\s+Kind\s+Admin\s+OperState\s+Count\s+Addresses\s*$'
                    '^kube-ipvs0\s+\d+\s+veth\s+DOWN\s+DOWN\s+3\s+10\.96\.0\.10/32\s*$'
                    '^\s+10\.96\.100\.20/32\s*$'
                    '^\s+fd00:10:96::a/128\s*$') }
        }
    ) {
        Assert-Screen -Screen $screens[$Columns][$What] -Expected $Expected -Columns $Columns -What $What
    }
}

# kube-proxy in every mode (issue 17)
Describe 'Default view of kube-proxy front ends in a terminal' -Tag 'Host' {
    BeforeAll {
        Import-Module IpvsTools -ErrorAction Stop
        $ns = New-Namespace 'vk'
        # kube-proxy's own expected ruleset (TestOverallNFTablesRules; the file's header names its source).
        $fixture = [System.IO.Path]::Combine($PSScriptRoot, '..', 'Shared', 'Fixtures', 'KubeProxy', 'nftables-overall.nft')
        Invoke-Tool ip netns, exec, $ns, nft, '-f', $fixture | Out-Null
        # The cluster of that test (tests/Shared/Snapshots/kube-proxy-overall.json) without ns6/svc6 and without
        # ns1/svc1's EndpointSlice: an Unexpected and an Endpoints difference for Compare-KubeProxyService's view.
        $cluster = Get-Content -Raw ([System.IO.Path]::Combine($PSScriptRoot, '..', 'Shared', 'Snapshots', 'kube-proxy-overall.json')) | ConvertFrom-Json
        $cluster.items = @($cluster.items | Where-Object { -not ($_.kind -eq 'Service' -and $_.metadata.name -eq 'svc6') -and -not ($_.kind -eq 'EndpointSlice' -and $_.metadata.name -eq 'svc1-1') })
        $changed = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "ipvstools-vk-$([guid]::NewGuid().ToString('N')).json")
        $cluster | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $changed
        $commands = [ordered]@{
            'Get-KubeProxyService' = "Get-KubeProxyService -NetworkNamespace $ns"
            'Compare-KubeProxyService' = "Compare-KubeProxyService -Path $changed -NodeName test-node -NetworkNamespace $ns"
        }
        $screens = @{ 80 = Show-InTerminal 80 $commands; 120 = Show-InTerminal 120 $commands }
    }

    AfterAll {
        if ($ns) { & ip netns del $ns 2>$null }
        if ($changed) { Remove-Item -LiteralPath $changed -ErrorAction SilentlyContinue }
    }

    It '<What> at <Columns> columns' -ForEach @(
        foreach ($columns in 80, 120) {
            @{ Columns = $columns; What = 'Compare-KubeProxyService'; Expected = @(
                    '^\s*kube-proxy: Nftables mode in network namespace ipvstools-vk-\S+\s*$'
                    '^Difference\s+FrontEnd\s+Service\s+Expected\s+Actual\s*$'
                    '^Endpoints\s+TCP 172\.30\.0\.41:80\s+ns1/svc1:p80\s+\(rejected\)\s+10\.180\.0\.1:80\s*$'
                    '^Unexpected\s+TCP 172\.30\.0\.46:80\s+ns6/svc6:p80\s+ClusterIP\s*$'
                    '^\s+\(rejected\)\s*$') }
            @{ Columns = $columns; What = 'Get-KubeProxyService'; Expected = @(
                    '^\s*kube-proxy: Nftables mode in network namespace ipvstools-vk-\S+\s*$'
                    '^FrontEnd\s+Kind\s+Service\s+Endpoints\s*$'
                    '^TCP 172\.30\.0\.44:80\s+ClusterIP\s+ns4/svc4:p80\s+10\.180\.0\.4:80\s*$'
                    '^\s+10\.180\.0\.5:80\s*$'
                    '^TCP 172\.30\.0\.46:80\s+ClusterIP\s+ns6/svc6:p80\s+\(rejected\)\s*$') }
        }
    ) {
        Assert-Screen -Screen $screens[$Columns][$What] -Expected $Expected -Columns $Columns -What $What
    }
}

Describe 'Default views of IPVS objects in a terminal' -Tag 'Lab' {
    BeforeAll {
        Import-Module IpvsTools -ErrorAction Stop
        if (-not (Get-IpvsInfo -ErrorAction SilentlyContinue)) {
            throw 'These tests need IPVS: run them in the lab (tests/lab/lab.sh run -- ...), as the header of this file says.'
        }
        $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
        $snapshot = [System.IO.Path]::Combine($root, 'tests', 'Shared', 'Snapshots', 'kind-cluster.yaml')
        $created = [System.Collections.Generic.List[string]]::new()

        # A table with every kind of service and real server, a UDP datagram and a TCP connection through it
        # (real servers behind a veth), and a sync daemon.
        $ns = New-Namespace 'vl'
        $created.Add($ns)
        Invoke-Tool ip '-n', $ns, link, add, kube-ipvs0, type, dummy | Out-Null
        Invoke-Tool ip '-n', $ns, addr, add, '10.96.0.10/32', dev, kube-ipvs0 | Out-Null
        Invoke-Tool ip '-n', $ns, link, add, va, type, veth, peer, name, vb | Out-Null
        Invoke-Tool ip '-n', $ns, addr, add, '10.244.0.1/24', dev, va | Out-Null
        Invoke-Tool ip '-n', $ns, link, set, va, up | Out-Null
        Invoke-Tool ip '-n', $ns, link, set, vb, up | Out-Null
        Invoke-Tool -InputText @'
-A -t 10.96.0.10:80 -s rr
-a -t 10.96.0.10:80 -r 10.244.0.3:8080 -m -w 1
-a -t 10.96.0.10:80 -r 10.244.0.4:8080 -m -w 3
-A -u 10.96.0.10:53 -s rr
-a -u 10.96.0.10:53 -r 10.244.0.2:53 -m -w 1
-A -t 192.168.100.200:65535 -s sh -b sh-fallback,sh-port -p 10800 -M 255.255.255.0
-a -t 192.168.100.200:65535 -r 192.168.100.201:65535 -g -w 100
-A -t [fd00:10:96::a]:53 -s wrr
-a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m -w 1
-A -f 5 -s rr
-a -f 5 -r 10.244.0.2:0 -i -w 2

'@ -Name ip -Arguments netns, exec, $ns, ipvsadm, '-R' | Out-Null
        Start-IpvsSyncDaemon Master -Interface va -SyncId 5 -NetworkNamespace $ns -ErrorAction Stop

        # Kubernetes nodes: one per width to sync (a sync writes once), one synced and then drifted.
        function New-Node {
            $name = New-Namespace 'vk'
            $created.Add($name)
            Invoke-Tool ip '-n', $name, link, add, eth0, type, dummy | Out-Null
            Invoke-Tool ip '-n', $name, addr, add, '172.18.0.3/16', dev, eth0 | Out-Null
            Invoke-Tool ip '-n', $name, link, set, eth0, up | Out-Null
            $name
        }
        $toSync = @{ 80 = New-Node; 120 = New-Node }
        $drifted = New-Node
        Sync-KubeIpvs -Path $snapshot -NodeName kind-worker -NetworkNamespace $drifted -Confirm:$false -ErrorAction Stop | Out-Null
        Invoke-Tool ip netns, exec, $drifted, ipset, del, KUBE-CLUSTER-IP, '10.96.0.10,udp:53' | Out-Null
        Get-IpvsDestination -Service 'TCP 10.96.100.20:80' -NetworkNamespace $drifted | Set-IpvsDestination -Weight 0 -ErrorAction Stop

        $screens = @{}
        foreach ($columns in 80, 120) {
            # The connections, made again before each terminal: IPVS expires them (UDP after 300 s, an unanswered
            # TCP SYN sooner), and on a loaded machine the 80-column pwsh alone can take longer than that.
            & ip netns exec $ns timeout 2 bash -c 'echo > /dev/tcp/10.96.0.10/80' 2>$null
            & ip netns exec $ns bash -c 'echo x > /dev/udp/10.96.0.10/53' 2>$null
            $n = "-NetworkNamespace $ns"
            $k = "-Path '$snapshot' -NodeName kind-worker"
            $screens[$columns] = Show-InTerminal $columns ([ordered]@{
                'Get-IpvsService' = "Get-IpvsService $n"
                'Get-IpvsDestination' = "Get-IpvsDestination $n"
                'Statistics' = "Get-IpvsService $n | Format-Table -View Statistics"
                'Rates' = "Get-IpvsService $n | Format-Table -View Rates"
                'Get-IpvsInfo' = "Get-IpvsInfo $n"
                'Get-IpvsTimeout' = "Get-IpvsTimeout $n"
                'Get-IpvsConnection' = "Get-IpvsConnection $n"
                'Get-IpvsSyncDaemon' = "Get-IpvsSyncDaemon $n"
                'Get-KubeIpvsPlan' = "Get-KubeIpvsPlan $k -NetworkNamespace $($toSync[$columns])"
                'Sync-KubeIpvs' = "Sync-KubeIpvs $k -NetworkNamespace $($toSync[$columns]) -Confirm:`$false"
                'Compare-KubeIpvs' = "Compare-KubeIpvs $k -NetworkNamespace $drifted"
                'Test-ServiceReachability' = "Test-ServiceReachability 10.96.100.20 80 -TimeoutSeconds 1 -NetworkNamespace $drifted"
                'ReachabilityCheck' = "(Test-ServiceReachability 10.96.100.20 80 -TimeoutSeconds 1 -NetworkNamespace $drifted).Checks"
                'RealServerReachability' = "(Test-ServiceReachability 10.96.100.20 80 -TimeoutSeconds 1 -NetworkNamespace $drifted).RealServers"
            })
        }
    }

    AfterAll {
        foreach ($name in $created) { & ip netns del $name 2>$null }
    }

    It '<What> at <Columns> columns' -ForEach @(
        foreach ($columns in 80, 120) {
            @{ Columns = $columns; What = 'Get-IpvsService'; Expected = @(
                    # ipvsadm -Ln's order and lines: protocol, address:port, then each real server with forward,
                    # weight and connection counts; scheduler and flags in the last column, one a line.
                    '^Prot\s+LocalAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn\s+Scheduler Flags\s*$'
                    '^TCP\s+192\.168\.100\.200:65535\s+sh\s*$'
                    '^\s+->\s+192\.168\.100\.201:65535\s+Route\s+100\s+0\s+0\s+sh-fallback\s*$'
                    '^\s+sh-port\s*$'
                    '^\s+persistent 10800\s*$'
                    '^\s+mask /24\s*$'
                    '^TCP\s+10\.96\.0\.10:80\s+rr\s*$'
                    '^\s+->\s+10\.244\.0\.3:8080\s+Masq\s+1\s+\d+\s+\d+\s*$'
                    '^\s+->\s+10\.244\.0\.4:8080\s+Masq\s+3\s+\d+\s+\d+\s*$'
                    '^UDP\s+10\.96\.0\.10:53\s+rr\s*$'
                    '^\s+->\s+10\.244\.0\.2:53\s+Masq\s+1\s+\d+\s+\d+\s*$'
                    '^TCP\s+\[fd00:10:96::a\]:53\s+wrr\s*$'
                    '^\s+->\s+\[fd00:10:244::5\]:53\s+Masq\s+1\s+0\s+0\s*$'
                    '^FWM\s+5\s+rr\s*$'
                    '^\s+->\s+10\.244\.0\.2:0\s+Tunnel\s+2\s+0\s+0\s*$') }
            @{ Columns = $columns; What = 'Get-IpvsDestination'; Expected = @(
                    '^\s*Service: TCP\s+192\.168\.100\.200:65535\s*$'
                    '^RemoteAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn\s*$'
                    '^192\.168\.100\.201:65535\s+Route\s+100\s+0\s+0\s*$'
                    '^\s*Service: TCP\s+10\.96\.0\.10:80\s*$'
                    '^10\.244\.0\.3:8080\s+Masq\s+1\s+\d+\s+\d+\s*$'
                    '^10\.244\.0\.4:8080\s+Masq\s+3\s+\d+\s+\d+\s*$'
                    '^\s*Service: TCP\s+\[fd00:10:96::a\]:53\s*$'
                    '^\[fd00:10:244::5\]:53\s+Masq\s+1\s+0\s+0\s*$') }
            @{ Columns = $columns; What = 'Statistics'; Expected = @(
                    '^Prot\s+LocalAddress:Port\s+Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes\s*$'
                    '^TCP\s+192\.168\.100\.200:65535(\s+\d+){5}\s*$'
                    '^\s+->\s+192\.168\.100\.201:65535(\s+\d+){5}\s*$'
                    '^UDP\s+10\.96\.0\.10:53(\s+\d+){5}\s*$'
                    '^\s+->\s+10\.244\.0\.2:53(\s+\d+){5}\s*$') }
            @{ Columns = $columns; What = 'Rates'; Expected = @(
                    '^Prot\s+LocalAddress:Port\s+CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS\s*$'
                    '^TCP\s+10\.96\.0\.10:80(\s+\d+){5}\s*$'
                    '^\s+->\s+10\.244\.0\.3:8080(\s+\d+){5}\s*$') }
            @{ Columns = $columns; What = 'Get-IpvsInfo'; Expected = @(
                    '^Version\s+:\s+1\.2\.1', '^ConnectionTableSize\s+:\s+\d+\s*$') }
            @{ Columns = $columns; What = 'Get-IpvsTimeout'; Expected = @(
                    '^\s*Tcp\s+TcpFin\s+Udp\s*$', '^\s*\d+\s+\d+\s+\d+\s*$') }
            @{ Columns = $columns; What = 'Get-IpvsConnection'; Expected = @(
                    '^Pro\s+Expire\s+State\s+Source\s+Virtual\s+Destination\s*$'
                    '^(TCP|UDP)\s+\d\d:\d\d\s+\S+\s+\d+\.\d+\.\d+\.\d+:\d+\s+10\.96\.0\.10:(80|53)\s+10\.244\.0\.[234]:(8080|53)\s*$') }
            @{ Columns = $columns; What = 'Get-IpvsSyncDaemon'; Expected = @(
                    '^State\s+Interface\s+SyncId\s+MaxLength\s+Group\s+Port\s+Ttl\s*$', '^Master\s+va\s+5\s+\d+') }
            @{ Columns = $columns; What = 'Get-KubeIpvsPlan'; Expected = @(
                    '^Layer\s+Operation\s*$', '^Link\s+create dummy link kube-ipvs0', '^Ipvs\s+add virtual server TCP 10\.96\.0\.10:53 rr\s*$'
                    '^Ipvs\s+add destination TCP 10\.96\.0\.10:53 -> 10\.244\.1\.7:53 masq weight 1\s*$') }
            @{ Columns = $columns; What = 'Sync-KubeIpvs'; Expected = @(
                    '^\s*Index\s+Outcome\s+Layer\s+Change\s*$', '^\s*1\s+Applied\s+Link\s+create dummy link kube-ipvs0'
                    '^\s*\d+\s+Applied\s+Ipvs\s+add destination TCP 10\.96\.0\.10:53 -> 10\.244\.1\.7:53(\s|$)') }
            @{ Columns = $columns; What = 'Compare-KubeIpvs'; Expected = @(
                    '^Layer\s+Kind\s+Action\s+Key / Expected / Actual\s*$', '^Ipset\s+SetMember\s+Add\s+KUBE-CLUSTER-IP 10\.96\.0\.10,udp:53\s*$', '^\s+expected: 10\.96\.0\.10,udp:53\s*$'
                    '^Ipvs\s+Destination\s+\S+\s+TCP 10\.96\.100\.20:80 -> 10\.244\.0\.9:8080\s*$', '^\s+expected: masq weight 1\s*$', '^\s+actual: masq weight 0\s*$') }
            @{ Columns = $columns; What = 'Test-ServiceReachability'; Expected = @(
                    '^Reachable\s+Target\s+Failed\s+Reason\s*$', '^NO\s+TCP\s+10\.96\.100\.20:80\s+\d+\s+\S') }
            @{ Columns = $columns; What = 'ReachabilityCheck'; Expected = @(
                    '^Result\s+Check\s+Detail\s*$', '^(Pass|FAIL|-)\s+\S') }
            @{ Columns = $columns; What = 'RealServerReachability'; Expected = @(
                    '^Destination\s+Weight\s+Answers\s+Ms\s+Detail\s*$', '^10\.244\.\d+\.\d+:8080\s+0\s+(yes|NO|-)(\s|$)') }
        }
    ) {
        Assert-Screen -Screen $screens[$Columns][$What] -Expected $Expected -Columns $Columns -What $What
    }
}
