# README's fleet recipes over real PowerShell remoting over SSH: Debian's sshd in throwaway namespaces that
# play nodes, pwsh as its powershell subsystem, key authentication; the client in its own namespace runs
# Invoke-Command -HostName node1, node2 { ... } as README writes it. Objects come back with their members
# as objects, show in the module's views, bind to the change cmdlets, and a $using: round trip changes the
# node, checked with the real ipset / ipvsadm in the node's namespace.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Fleet use over SSH remoting: ipsets on two nodes' -Tag Host {
    BeforeAll {
        $fleet = New-TestSshFleet node1, node2
        $n = 0
        foreach ($node in $fleet.Nodes.Values) {
            $n++
            $sets = "create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536`nadd KUBE-CLUSTER-IP 10.96.0.10,udp:53`nadd KUBE-CLUSTER-IP 10.96.0.$n,tcp:443`n"
            Invoke-InNamespace $node.Namespace ipset 'restore' -InputText $sets -Check | Out-Null
        }
        # The same set in the client's own namespace: its live objects render the view the copies must match.
        Invoke-InNamespace $fleet.Client ipset 'restore' -InputText "create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536`nadd KUBE-CLUSTER-IP 10.96.0.10,udp:53`nadd KUBE-CLUSTER-IP 10.96.0.1,tcp:443`n" -Check | Out-Null

        $r = Invoke-FleetClient $fleet @'
Import-Module IpvsTools
$sets = Invoke-Command -HostName node1, node2 { Get-Ipset KUBE-CLUSTER-IP }
$members = Invoke-Command -HostName node1, node2 { (Get-Ipset KUBE-CLUSTER-IP).Members | Where-Object Address -eq 10.96.0.10 }
"JSON " + (@($sets | ForEach-Object {
    [pscustomobject]@{
        Computer = $_.PSComputerName; TypeName = $_.PSObject.TypeNames[0]; Name = $_.Name; Type = $_.Type
        Members = @($_.Members | ForEach-Object { [pscustomobject]@{ Element = $_.Element; Address = "$($_.Address)"; Port = $_.Port; TypeName = $_.PSObject.TypeNames[0] } })
    } }) | ConvertTo-Json -Depth 5 -Compress -AsArray)
"FILTERED " + (@($members | ForEach-Object { "$($_.PSComputerName) $($_.Element)" }) -join ';')
$remote = ($sets | Where-Object PSComputerName -eq node1 | Format-Table | Out-String -Width 200).Trim()
$local = (Get-Ipset KUBE-CLUSTER-IP | Format-Table | Out-String -Width 200).Trim()
"REMOTE-VIEW-BEGIN`n$remote`nREMOTE-VIEW-END"
"LOCAL-VIEW-BEGIN`n$local`nLOCAL-VIEW-END"
# $using: sends a value, and the objects that came back, to the node, where the change cmdlets bind them.
$member = '10.96.7.7,tcp:8080'
Invoke-Command -HostName node1 { Add-IpsetMember KUBE-CLUSTER-IP $using:member }
$https = ($sets | Where-Object PSComputerName -eq node2).Members | Where-Object Port -eq 443
Invoke-Command -HostName node2 { $using:https | Remove-IpsetMember }
'DONE'
'@
    }
    AfterAll { Remove-TestSshFleet $fleet }

    It 'the client script ran to the end over ssh' {
        $r.ExitCode | Should -Be 0 -Because "$($r.Error) $($r.Output)"
        $r.Output | Should -Match '(?m)^DONE'
    }

    It 'each node''s set comes back as an object with its members as objects, from the node that has it' {
        $json = (($r.Output -split "`n") | Where-Object { $_ -like 'JSON *' }).Substring(5) | ConvertFrom-Json
        $json.Count | Should -Be 2
        ($json.Computer | Sort-Object) | Should -Be @('node1', 'node2')
        foreach ($s in $json) {
            $s.TypeName | Should -Be 'Deserialized.IpvsTools.Ipsets.Ipset'
            $s.Type | Should -Be 'hash:ip,port'
            $s.Members.Count | Should -Be 2
            $s.Members[0].TypeName | Should -Be 'Deserialized.IpvsTools.Ipsets.IpsetMember' -Because 'members stay objects (the module sets the serialization depth)'
        }
        $n2 = $json | Where-Object Computer -eq 'node2'
        ($n2.Members.Element | Sort-Object) | Should -Be @('10.96.0.10,udp:53', '10.96.0.2,tcp:443')
    }

    It 'README''s Where-Object filter on members runs on the nodes and returns each node''s member' {
        $line = ($r.Output -split "`n") | Where-Object { $_ -like 'FILTERED *' }
        (($line.Substring(9) -split ';') | Sort-Object) | Should -Be @('node1 10.96.0.10,udp:53', 'node2 10.96.0.10,udp:53')
    }

    It 'the copies show in the same view as live objects (PowerShell adds the PSComputerName column)' {
        $remote = @([regex]::Match($r.Output, '(?s)REMOTE-VIEW-BEGIN\n(.*?)\nREMOTE-VIEW-END').Groups[1].Value -split "`n")
        $local = @([regex]::Match($r.Output, '(?s)LOCAL-VIEW-BEGIN\n(.*?)\nLOCAL-VIEW-END').Groups[1].Value -split "`n")
        $local.Count | Should -Be 3 -Because 'the live view: header, rule, one set'
        $remote.Count | Should -Be 3
        (-split $remote[0]) | Should -Be (@(-split $local[0]) + 'PSComputerName')
        # The row: the same values in the same columns (every column of the view has a fixed width), then the
        # node's name.
        $cut = $local[2].TrimEnd().Length
        $remote[2].Length | Should -BeGreaterThan $cut
        $remote[2].Substring(0, $cut) | Should -Be $local[2].Substring(0, $cut)
        $remote[2].TrimEnd() | Should -Match 'node1$'
    }

    It 'a $using: value reaches node1 and Add-IpsetMember adds it there, as the real ipset shows' {
        $list = (Invoke-InNamespace $fleet.Nodes['node1'].Namespace ipset 'save', 'KUBE-CLUSTER-IP' -Check).Output
        $list | Should -Match '(?m)^add KUBE-CLUSTER-IP 10\.96\.7\.7,tcp:8080$'
        (Invoke-InNamespace $fleet.Nodes['node2'].Namespace ipset 'save', 'KUBE-CLUSTER-IP' -Check).Output | Should -Not -Match '10\.96\.7\.7'
    }

    It 'members that came back, sent with $using: to node2, bind to Remove-IpsetMember there' {
        $list = (Invoke-InNamespace $fleet.Nodes['node2'].Namespace ipset 'save', 'KUBE-CLUSTER-IP' -Check).Output
        $list | Should -Not -Match '10\.96\.0\.2,tcp:443'
        $list | Should -Match '(?m)^add KUBE-CLUSTER-IP 10\.96\.0\.10,udp:53$'
        (Invoke-InNamespace $fleet.Nodes['node1'].Namespace ipset 'save', 'KUBE-CLUSTER-IP' -Check).Output | Should -Match '10\.96\.0\.1,tcp:443'
    }
}

Describe 'Fleet use over SSH remoting: IPVS and kube-ipvs0 on two nodes' -Tag Lab {
    BeforeAll {
        $fleet = New-TestSshFleet node1, node2 -ClientHere
        # node1: one service with every real server drained (weight 0), one healthy; node2: healthy only.
        $tables = @{
            node1 = "-A -t 10.96.0.10:53 -s rr`n-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 0`n-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 0`n-A -t 10.96.100.20:80 -s rr`n-a -t 10.96.100.20:80 -r 10.244.3.9:8080 -m -w 1`n"
            node2 = "-A -t 10.96.0.10:53 -s rr`n-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1`n"
        }
        foreach ($node in $fleet.Nodes.Values) {
            Invoke-InNamespace $node.Namespace ipvsadm '-R' -InputText $tables[$node.Name] -Check | Out-Null
            Invoke-InNamespace $node.Namespace ip 'link', 'add', 'kube-ipvs0', 'type', 'dummy' -Check | Out-Null
            Invoke-InNamespace $node.Namespace ip 'address', 'add', '10.96.0.10/32', 'dev', 'kube-ipvs0' -Check | Out-Null
        }
        # A namespace with node2's table: its live objects render the view the copies must match.
        $viewNs = New-TestNetworkNamespace
        Invoke-InNamespace $viewNs ipvsadm '-R' -InputText $tables['node2'] -Check | Out-Null

        # Under emulation every remoting session starts a pwsh on the node (minutes each): the test's own
        # pwsh is the client, and README's recipes run over one session per node (both started at once);
        # the host's fleet test runs them with -HostName as written.
        $r = Invoke-FleetClient $fleet (@'
Import-Module IpvsTools
$sessions = New-PSSession -HostName node1, node2
# README: the same on every node over ssh.
$drainedServices = Invoke-Command -Session $sessions { Get-IpvsService } | Where-Object { -not ($_.Destinations | Where-Object Weight -gt 0) }
"DRAINED " + (@($drainedServices | ForEach-Object { "$($_.PSComputerName) $($_.Key) $(@($_.Destinations).Count) $($_.Destinations[0].PSObject.TypeNames[0])" }) -join ';')
$node1 = $sessions | Where-Object ComputerName -eq node1
$node2 = $sessions | Where-Object ComputerName -eq node2
$services = Invoke-Command -Session $node2 { Get-IpvsService }
$remote = ($services | Format-Table | Out-String -Width 200).Trim()
$local = (Get-IpvsService -NetworkNamespace VIEWNS | Format-Table | Out-String -Width 200).Trim()
"REMOTE-VIEW-BEGIN`n$remote`nREMOTE-VIEW-END"
"LOCAL-VIEW-BEGIN`n$local`nLOCAL-VIEW-END"
$links = Invoke-Command -Session $sessions { Get-KubeIpvsInterface }
"LINKS " + (@($links | ForEach-Object { "$($_.PSComputerName) $($_.PSObject.TypeNames[0]) $(@($_.Addresses | ForEach-Object { "$($_.Address)/$($_.PrefixLength) $($_.PSObject.TypeNames[0])" }) -join ',')" }) -join ';')
# README: send objects back with $using:, or pipe inside the node's script block.
$drained = Invoke-Command -Session $node1 { Get-IpvsDestination | Where-Object Weight -eq 0 } | Where-Object Address -eq 10.244.2.7
Invoke-Command -Session $node1 { $using:drained | Remove-IpvsDestination -Confirm:$false }
Invoke-Command -Session $node1 { Get-IpvsDestination | Where-Object Weight -eq 0 | Set-IpvsDestination -Weight 1 }
$sessions | Remove-PSSession
'DONE'
'@).Replace('VIEWNS', $viewNs)
    }
    AfterAll { Remove-TestSshFleet $fleet; Remove-TestNetworkNamespace $viewNs }

    It 'the client script ran to the end over ssh' {
        $r.ExitCode | Should -Be 0 -Because "$($r.Error) $($r.Output)"
        $r.Output | Should -Match '(?m)^DONE'
    }

    It 'README''s recipe finds the service whose real servers are all drained, on the node that has it, with its real servers as objects' {
        $line = ($r.Output -split "`n") | Where-Object { $_ -like 'DRAINED *' }
        $line.Substring(8) | Should -Match '^node1 TCP\s+10\.96\.0\.10:53 2 Deserialized\.IpvsTools\.Ipvs\.IpvsDestination$'
    }

    It 'services from a node show in the same view as live ones (PowerShell adds the PSComputerName column)' {
        $remote = @([regex]::Match($r.Output, '(?s)REMOTE-VIEW-BEGIN\n(.*?)\nREMOTE-VIEW-END').Groups[1].Value -split "`n" | ForEach-Object TrimEnd)
        $local = @([regex]::Match($r.Output, '(?s)LOCAL-VIEW-BEGIN\n(.*?)\nLOCAL-VIEW-END').Groups[1].Value -split "`n" | ForEach-Object TrimEnd)
        $local.Count | Should -BeGreaterThan 2
        # The same view: every word of the live rendering (headers, the service, its real servers, their
        # numbers) is in the rendering of the copies; column widths may differ by the added column.
        $remoteWords = -split ($remote -join ' ')
        foreach ($word in (-split ($local -join ' '))) { $remoteWords | Should -Contain $word }
        ($remote -join "`n") | Should -Match '10\.244\.1\.5'
    }

    It 'kube-ipvs0 comes back from each node with its addresses' {
        $line = ($r.Output -split "`n") | Where-Object { $_ -like 'LINKS *' }
        (($line.Substring(6) -split ';') | Sort-Object) | Should -Be @(
            'node1 Deserialized.IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface 10.96.0.10/32 Deserialized.IpvsTools.Links.InterfaceAddress',
            'node2 Deserialized.IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface 10.96.0.10/32 Deserialized.IpvsTools.Links.InterfaceAddress')
    }

    It 'a drained real server sent back with $using: is removed on node1, and the other is set to weight 1 there, as ipvsadm shows' {
        $save = (Invoke-InNamespace $fleet.Nodes['node1'].Namespace ipvsadm '-Sn' -Check).Output
        $save | Should -Not -Match '10\.244\.2\.7'
        $save | Should -Match '(?m)^-a -t 10\.96\.0\.10:53 -r 10\.244\.1\.5:53 -m -w 1$'
        (Invoke-InNamespace $fleet.Nodes['node2'].Namespace ipvsadm '-Sn' -Check).Output | Should -Match '(?m)^-a -t 10\.96\.0\.10:53 -r 10\.244\.1\.5:53 -m -w 1$'
    }
}
