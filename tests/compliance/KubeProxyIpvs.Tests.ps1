<#
.SYNOPSIS
    Pester 5 compliance suite: a node whose Services kube-proxy load-balances in IPVS mode.

.DESCRIPTION
    Checks the node layer by layer with IpvsTools (tags: Sysctl, Link, Ipvs, Ipset, Iptables,
    Reachability) and tests each Service's reachability for real. Parameters come through
    New-PesterContainer -Data; every It is data-driven with -ForEach, so the NUnit report names each
    set, rule and virtual server it checked. Needs root and Pester 5 (Install-Module Pester).

.EXAMPLE
    $data = @{ Service = 'kube-system/kube-dns', 'default/kubernetes'; Path = './cluster.yaml'; NodeName = 'node-a' }
    Invoke-Pester -Container (New-PesterContainer -Path ./tests/compliance/KubeProxyIpvs.Tests.ps1 -Data $data) -Output Detailed
#>
param(
    # The network namespace of the node's dataplane (a name under /run/netns or a path); empty: pwsh's own.
    [string] $NetworkNamespace,

    # Services (namespace/name) to test with the cluster snapshot in -Path.
    [string[]] $Service = @(),

    # Cluster snapshot files for -Service (kubectl get svc,endpointslices,nodes -A -o yaml).
    [string[]] $Path = @(),

    # The node's name in the cluster; empty: the host name.
    [string] $NodeName,

    # Virtual services to test without a cluster source, as 'Tcp 10.96.0.1:443' or 'Udp 10.96.0.10:53'.
    [string[]] $Target = @(),

    # Test every virtual server of the IPVS table (slow on big nodes: each is probed).
    [switch] $AllVirtualServers,

    # Seconds each probe waits.
    [int] $TimeoutSeconds = 3,

    # kube-proxy's --ipvs-scheduler.
    [string] $Scheduler = 'rr',

    # Where to import IpvsTools from: a module name or the path of IpvsTools.psd1.
    [string] $ModulePath = 'IpvsTools'
)

BeforeDiscovery {
    Import-Module -Name $ModulePath -ErrorAction Stop
    $where = @{}
    if ($NetworkNamespace) { $where.NetworkNamespace = $NetworkNamespace }

    # The sets kube-proxy creates in IPVS mode for every family the node uses.
    $requiredSets = @('KUBE-CLUSTER-IP', 'KUBE-LOOP-BACK', 'KUBE-IPVS-IPS', 'KUBE-NODE-PORT-TCP', 'KUBE-NODE-PORT-UDP', 'KUBE-EXTERNAL-IP', 'KUBE-LOAD-BALANCER') |
        ForEach-Object { @{ Name = $_ } }

    # Each item of kube-proxy's iptables model, for a report line per chain, jump and rule. Items reported
    # NotRequired (rules kube-proxy writes only while their set has members, absent with the set empty) are
    # left out: they are not on the node, and a passed test case named after them would say they were.
    # When the rules cannot be read, one test case carries the module's error instead of none passing.
    $iptablesError = $null
    $iptablesChecks = @()
    try {
        $iptablesChecks = @(Test-KubeIptablesRule @where -ErrorAction Stop |
            Where-Object { "$($_.Status)" -ne 'NotRequired' } |
            ForEach-Object { @{ Check = $_; Name = "$($_.Table) $($_.Chain) $($_.Rule)".TrimEnd() } })
    }
    catch { $iptablesError = $_ }
    $iptablesReadErrors = @($iptablesError | Where-Object { $_ } | ForEach-Object { @{ Name = 'kube-proxy''s iptables rules can be read'; Message = "$_" } })

    # Address targets: given ones, or the whole table.
    $addressTargets = @($Target | ForEach-Object {
        $protocol, $endpoint = $_ -split ' ', 2
        $address, $port = $endpoint -split ':(?=\d+$)'
        @{ Name = $_; Address = $address.Trim('[', ']'); Port = [int]$port; Protocol = $protocol }
    })
    if ($AllVirtualServers) {
        $addressTargets += @(Get-IpvsService @where | Where-Object Address | ForEach-Object {
            @{ Name = "$_"; Address = "$($_.Address)"; Port = [int]$_.Port; Protocol = "$($_.Protocol)" }
        })
    }
    $serviceTargets = @($Service | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module -Name $ModulePath -ErrorAction Stop
    $where = @{}
    if ($NetworkNamespace) { $where.NetworkNamespace = $NetworkNamespace }
    $cluster = @{ Path = $Path; Scheduler = $Scheduler; TimeoutSeconds = $TimeoutSeconds }
    if ($NodeName) { $cluster.NodeName = $NodeName }
}

Describe 'IPVS sysctls kube-proxy sets' -Tag 'Sysctl' {
    BeforeAll {
        # -ErrorAction Stop and catch: a read that fails, terminating or not, becomes each test's failure message.
        $infoError = $null
        try { $info = Get-IpvsInfo @where -ErrorAction Stop } catch { $infoError = $_ }
    }

    It 'net.ipv4.vs.<Name> is <Value>' -ForEach @(
        @{ Name = 'conntrack'; Property = 'Conntrack'; Value = 1 }
        @{ Name = 'expire_nodest_conn'; Property = 'ExpireNodestConn'; Value = 1 }
        @{ Name = 'expire_quiescent_template'; Property = 'ExpireQuiescentTemplate'; Value = 1 }
    ) {
        if ($infoError) { throw "Get-IpvsInfo failed, net.ipv4.vs.$Name could not be read: $infoError" }
        $info.$Property | Should -Be $Value -Because "kube-proxy sets net.ipv4.vs.$Name=$Value"
    }
}

Describe 'kube-ipvs0' -Tag 'Link' {
    BeforeAll {
        $linkError = $null
        $link = $null
        try { $link = Get-KubeIpvsInterface @where -ErrorAction Stop } catch { $linkError = $_ }
        # Every test of the link needs it: without it, each fails with the module's reason (never passes).
        $noLink = if ($linkError) { "$linkError" } else { 'Get-KubeIpvsInterface returned nothing' }
    }

    It 'exists as a dummy link' {
        $link | Should -Not -BeNullOrEmpty -Because "kube-proxy binds every ClusterIP to kube-ipvs0 ($noLink)"
        $link.Kind | Should -Be 'dummy'
    }

    It 'is left down' {
        $link | Should -Not -BeNullOrEmpty -Because "whether kube-ipvs0 is down cannot be checked: $noLink"
        $link.IsUp | Should -BeFalse -Because 'kube-proxy creates kube-ipvs0 down; up, it answers ARP for every ClusterIP'
    }

    It 'holds an address for every virtual server at a ClusterIP in KUBE-CLUSTER-IP' {
        $link | Should -Not -BeNullOrEmpty -Because "the ClusterIPs cannot be on kube-ipvs0: $noLink"
        $bound = @($link.Addresses | ForEach-Object { "$($_.Address)" })
        $missing = @(Get-KubeIpset -Name 'KUBE-CLUSTER-IP', 'KUBE-6-CLUSTER-IP' @where -ErrorAction SilentlyContinue |
            ForEach-Object Members | Where-Object { $bound -notcontains "$($_.Address)" } | ForEach-Object Text)
        $missing | Should -BeNullOrEmpty -Because 'a ClusterIP not on kube-ipvs0 is not local, so IPVS never sees its packets'
    }
}

Describe 'ipsets' -Tag 'Ipset' {
    BeforeAll {
        $setsError = $null
        $sets = @()
        try { $sets = @(Get-KubeIpset @where -ErrorAction Stop) } catch { $setsError = $_ }
    }

    It '<Name> exists' -ForEach $requiredSets {
        if ($setsError) { throw "Get-KubeIpset failed, the sets could not be read: $setsError" }
        $sets.Name | Should -Contain $Name -Because "kube-proxy creates $Name in IPVS mode"
    }

    It 'every KUBE-CLUSTER-IP member has its virtual server' {
        if ($setsError) { throw "Get-KubeIpset failed, the sets could not be read: $setsError" }
        @($sets | Where-Object Name -In 'KUBE-CLUSTER-IP', 'KUBE-6-CLUSTER-IP') | Should -Not -BeNullOrEmpty -Because 'there is no KUBE-CLUSTER-IP whose members could be checked'
        $orphans = @($sets | Where-Object Name -In 'KUBE-CLUSTER-IP', 'KUBE-6-CLUSTER-IP' | ForEach-Object Members |
            Where-Object { $null -eq $_.VirtualServer } | ForEach-Object Text)
        $orphans | Should -BeNullOrEmpty -Because 'a member without an IPVS virtual server is a ClusterIP that answers nowhere'
    }
}

Describe 'iptables' -Tag 'Iptables' {
    It '<Name>' -ForEach $iptablesReadErrors {
        throw "Test-KubeIptablesRule failed, no rule was checked: $Message"
    }

    It '<Name>' -ForEach $iptablesChecks {
        # Present passes. Missing, Stale (there although its set is empty) and Unknown (whether its set has
        # members could not be read) fail, each saying why.
        $why = switch ("$($Check.Status)") {
            'Missing' { "it is missing: $($Check.Purpose)" }
            'Stale' { "its set $($Check.ConditionSet) is empty, so kube-proxy would have removed it: $($Check.Purpose)" }
            'Unknown' { "whether its set $($Check.ConditionSet) has members could not be read, so whether it belongs cannot be checked: $($Check.Purpose)" }
            default { $Check.Purpose }
        }
        "$($Check.Status)" | Should -Be 'Present' -Because $why
    }
}

Describe 'Reachability of virtual services' -Tag 'Reachability' {
    It '<Name> is reachable' -ForEach $addressTargets {
        $result = Test-ServiceReachability -Address $Address -Port $Port -Protocol $Protocol -TimeoutSeconds $TimeoutSeconds -Scheduler $Scheduler @where
        $result.Reachable | Should -BeTrue -Because $result.Reason
    }
}

Describe 'Reachability of Services' -Tag 'Reachability', 'Cluster' {
    It '<Name> is reachable on every virtual server' -ForEach $serviceTargets {
        $results = @(Test-ServiceReachability -Service $Name @cluster @where)
        $results | Should -Not -BeNullOrEmpty -Because "kube-proxy programs virtual servers for $Name"
        foreach ($r in $results) {
            $r.Reachable | Should -BeTrue -Because "$($r.Target): $($r.Reason)"
        }
    }
}
