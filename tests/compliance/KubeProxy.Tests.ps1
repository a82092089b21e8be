<#
.SYNOPSIS
    Pester 5 compliance suite, in every kube-proxy mode: each Service front end on the node is what kube-proxy
    (IPVS, iptables or nftables mode) would program for the cluster.

.DESCRIPTION
    Built on Compare-KubeProxyService (the node's front ends against the cluster's, by value, the same way in every
    mode) and Get-KubeProxyService. One It per Service front end in each check, so the NUnit report names every
    front end (`TCP 10.96.0.10:53 kube-system/kube-dns:dns-tcp`) and a failure says what differs:
      FrontEnd  (tag FrontEnd)   the front end is programmed, of the right kind, and no front end is there that the
                                 cluster does not explain (Missing, Unexpected, Kind);
      Endpoints (tag Endpoints)  it sends to the endpoints of the Service's EndpointSlices;
      Affinity  (tag Affinity)   it has the Service's ClientIP session affinity;
      Mode      (tag Mode)       with -ExpectedMode: kube-proxy's data plane on the node is that mode (after a
                                 migration from IPVS mode, for example).
    When the comparison cannot be made, each check has one test case that fails with the cmdlet's error.
    Parameters through New-PesterContainer -Data.

.EXAMPLE
    $data = @{ Path = './cluster.yaml'; NodeName = 'node-a'; ExpectedMode = 'Nftables' }
    Invoke-Pester -Container (New-PesterContainer -Path ./tests/compliance/KubeProxy.Tests.ps1 -Data $data) -Output Detailed
#>
param(
    # Cluster snapshot files (kubectl get svc,endpointslices,nodes -A -o yaml); empty: the live API.
    [string[]] $Path = @(),

    # The kubeconfig file and context for the live API.
    [string] $Kubeconfig,
    [string] $Context,

    # The node's name in the cluster; empty: the host name.
    [string] $NodeName,

    # The network namespace of the node's data plane; empty: pwsh's own.
    [string] $NetworkNamespace,

    # The mode to read and compare in: Auto (found on the node), Ipvs, Iptables or Nftables.
    [string] $Mode = 'Auto',

    # The mode kube-proxy must be in (Ipvs, Iptables, Nftables); empty: not checked.
    [string] $ExpectedMode,

    # iptables mode: the backend to read (NfTables or Legacy); empty: the system's default iptables.
    [string] $Backend,

    # Where to import IpvsTools from: a module name or the path of IpvsTools.psd1.
    [string] $ModulePath = 'IpvsTools'
)

BeforeDiscovery {
    Import-Module -Name $ModulePath -ErrorAction Stop
    $where = @{}
    if ($NetworkNamespace) { $where.NetworkNamespace = $NetworkNamespace }
    if ($Backend) { $where.Backend = $Backend }
    $source = @{ Mode = $Mode }
    if ($Path) { $source.Path = $Path }
    if ($Kubeconfig) { $source.Kubeconfig = $Kubeconfig }
    if ($Context) { $source.Context = $Context }
    if ($NodeName) { $source.NodeName = $NodeName }

    # Every front end, matching (Equal) or not, grouped: one test case per front end and check. When the
    # comparison fails, each check gets one test case carrying its error instead of none passing.
    $compareErrors = @()
    $frontEnds = @()
    try {
        $all = @(Compare-KubeProxyService @source @where -IncludeEqual -ErrorAction Stop)
        $byFrontEnd = [ordered]@{}
        foreach ($d in $all) {
            if (-not $byFrontEnd.Contains($d.FrontEnd)) { $byFrontEnd[$d.FrontEnd] = [System.Collections.Generic.List[object]]::new() }
            $byFrontEnd[$d.FrontEnd].Add($d)
        }
        $frontEnds = @(foreach ($group in $byFrontEnd.Values) {
            @{
                Name = "$($group[0].FrontEnd) $($group[0].ServicePort)".TrimEnd()
                Kinds = @($group | ForEach-Object { "$($_.Difference)" })
                Differences = @($group | ForEach-Object { @{ Difference = "$($_.Difference)"; Line = "$_" } })
            }
        })
    }
    catch {
        $compareErrors = @(@{ Name = 'the node can be compared with the cluster'; Message = "Compare-KubeProxyService failed, nothing was compared: $($_.Exception.Message)" })
    }
    # Endpoints and affinity are checked on the front ends both sides have.
    $present = @($frontEnds | Where-Object { $_.Kinds -notcontains 'Missing' -and $_.Kinds -notcontains 'Unexpected' })
    $modeChecks = @($ExpectedMode | Where-Object { $_ } | ForEach-Object { @{ Name = "kube-proxy programs the node in $_ mode"; Expected = $_ } })
}

Describe 'Each Service front end is programmed' -Tag 'FrontEnd' {
    It '<Name>' -ForEach $frontEnds {
        $wrong = @($Differences | Where-Object { $_.Difference -in 'Missing', 'Unexpected', 'Kind' } | ForEach-Object Line)
        if ($wrong.Count) { throw ($wrong -join "`n") }
    }

    It '<Name>' -ForEach $compareErrors {
        throw $Message
    }
}

Describe 'Each front end sends to the endpoints of its EndpointSlices' -Tag 'Endpoints' {
    It '<Name>' -ForEach $present {
        $wrong = @($Differences | Where-Object Difference -EQ 'Endpoints' | ForEach-Object Line)
        if ($wrong.Count) { throw ($wrong -join "`n") }
    }

    It '<Name>' -ForEach $compareErrors {
        throw $Message
    }
}

Describe 'Each front end has its Service''s session affinity' -Tag 'Affinity' {
    It '<Name>' -ForEach $present {
        $wrong = @($Differences | Where-Object Difference -EQ 'Affinity' | ForEach-Object Line)
        if ($wrong.Count) { throw ($wrong -join "`n") }
    }

    It '<Name>' -ForEach $compareErrors {
        throw $Message
    }
}

Describe 'kube-proxy runs in the expected mode' -Tag 'Mode' {
    It '<Name>' -ForEach $modeChecks {
        $read = @{}
        if ($NetworkNamespace) { $read.NetworkNamespace = $NetworkNamespace }
        $found = @(Get-KubeProxyService @read -Mode Auto -ErrorAction Stop -WarningAction SilentlyContinue | ForEach-Object { "$($_.Mode)" })
        if ($found.Count -eq 0) { throw "kube-proxy programmed no Service front end on the node, so its mode is not $Expected." }
        if ($found[0] -ne $Expected) { throw "Get-KubeProxyService -Mode Auto finds kube-proxy's data plane on the node in $($found[0]) mode, not $Expected mode." }
    }
}
