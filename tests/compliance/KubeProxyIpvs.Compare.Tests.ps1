<#
.SYNOPSIS
    Pester 5 compliance suite: the node programs exactly what kube-proxy's IPVS mode would for the cluster.

.DESCRIPTION
    Built on Compare-KubeIpvs (one difference per item: Layer, Kind, Key, Expected, Actual, Action).
    One It per layer (tags Link, Ipset, Ipvs, Iptables), so a report shows which layer drifted and
    each difference in the failure message. Foreign virtual servers (not the cluster's) are reported
    in their own It (tag Foreign). Parameters through New-PesterContainer -Data.

.EXAMPLE
    $data = @{ Path = './cluster.yaml'; NodeName = 'node-a' }
    Invoke-Pester -Container (New-PesterContainer -Path ./tests/compliance/KubeProxyIpvs.Compare.Tests.ps1 -Data $data) -Output Detailed
#>
param(
    # Cluster snapshot files (kubectl get svc,endpointslices,nodes -A -o yaml); empty: the live API.
    [string[]] $Path = @(),

    # The kubeconfig file and context for the live API.
    [string] $Kubeconfig,
    [string] $Context,

    # The node's name in the cluster; empty: the host name.
    [string] $NodeName,

    # The network namespace of the node's dataplane; empty: pwsh's own.
    [string] $NetworkNamespace,

    # Where to import IpvsTools from: a module name or the path of IpvsTools.psd1.
    [string] $ModulePath = 'IpvsTools'
)

BeforeAll {
    Import-Module -Name $ModulePath -ErrorAction Stop
    $source = @{}
    if ($Path) { $source.Path = $Path }
    if ($Kubeconfig) { $source.Kubeconfig = $Kubeconfig }
    if ($Context) { $source.Context = $Context }
    if ($NodeName) { $source.NodeName = $NodeName }
    if ($NetworkNamespace) { $source.NetworkNamespace = $NetworkNamespace }
    # A Compare-KubeIpvs that fails compares nothing: every test case then fails with its error (in the NUnit
    # failure/message), rather than with Pester's "a setup in some parent block failed".
    $compareError = $null
    $differences = @()
    try {
        $differences = @(Compare-KubeIpvs @source -ErrorAction Stop)
    }
    catch {
        $compareError = $_
    }
}

Describe 'The node matches the cluster' -Tag 'Compare' {
    BeforeAll {
        # The differences of one layer, one line each; foreign virtual servers have their own It.
        function Get-Drift([string] $Layer) {
            if ($compareError) { throw "Compare-KubeIpvs failed, nothing was compared: $($compareError.Exception.Message)" }
            $differences | Where-Object { "$($_.Layer)" -eq $Layer -and "$($_.Kind)" -ne 'ForeignVirtualServer' } |
                ForEach-Object { "$($_.Kind) $($_.Key): expected $($_.Expected), actual $($_.Actual) ($($_.Action))" }
        }

        # Fails with every difference, one a line (Should would shorten a long list in its message).
        function Assert-NoDrift([string[]] $Lines, [string] $Because) {
            if ($Lines.Count) { throw "$($Lines.Count) difference$(if ($Lines.Count -ne 1) { 's' }), but $($Because):`n$($Lines -join "`n")" }
        }
    }

    It 'kube-ipvs0 and its addresses match' -Tag 'Link' {
        Assert-NoDrift @(Get-Drift 'Link') 'every ClusterIP must be on kube-ipvs0, and nothing else'
    }

    It 'the KUBE-* sets and their members match' -Tag 'Ipset' {
        Assert-NoDrift @(Get-Drift 'Ipset') 'kube-proxy''s iptables rules match on these sets'
    }

    It 'the virtual servers and real servers match the EndpointSlices' -Tag 'Ipvs' {
        Assert-NoDrift @(Get-Drift 'Ipvs') 'IPVS must send each Service to its ready endpoints'
    }

    It 'the KUBE-* chains and jumps match' -Tag 'Iptables' {
        Assert-NoDrift @(Get-Drift 'Iptables') 'masquerade and filtering depend on these rules'
    }

    It 'has no virtual servers that are not the cluster''s' -Tag 'Foreign' {
        if ($compareError) { throw "Compare-KubeIpvs failed, nothing was compared: $($compareError.Exception.Message)" }
        $foreign = @($differences | Where-Object { "$($_.Kind)" -eq 'ForeignVirtualServer' } | ForEach-Object Key)
        Assert-NoDrift $foreign 'kube-proxy deletes virtual servers it did not create'
    }
}
