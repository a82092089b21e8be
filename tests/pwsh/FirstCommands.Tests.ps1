# The first commands a user types after installing, in a fresh pwsh process that imports the installed
# module by name: on the host (ipsets, kube-proxy's iptables rules, kube-ipvs0 in a throwaway namespace)
# and in the lab (Get-IpvsService against ipvsadm -Sn in the same kernel). Each result is cross-checked
# against the real tool in the same namespace. The times of Import-Module and of the first call are
# printed (figures for docs/performance.md), never asserted.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # Runs $body in a fresh pwsh after a timed Import-Module IpvsTools; the body's last output is JSON.
    # Returns @{ ImportMs; FirstCallMs; Json } or throws with the process's errors.
    function Invoke-FirstCommand([string] $firstCall, [string] $body) {
        $command = @"
`$ErrorActionPreference = 'Stop'
`$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module IpvsTools
`$importMs = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart()
`$first = @($firstCall)
`$firstMs = `$sw.Elapsed.TotalMilliseconds
"TIMES `$([math]::Round(`$importMs)) `$([math]::Round(`$firstMs))"
$body
"@
        $r = Invoke-FreshPwsh $command
        if ($r.ExitCode -ne 0) { throw "pwsh exited with $($r.ExitCode): $($r.Error) $($r.Output)" }
        $lines = $r.Output -split "`n"
        $times = ($lines | Where-Object { $_ -like 'TIMES *' }) -split ' '
        [pscustomobject]@{
            ImportMs    = [int]$times[1]
            FirstCallMs = [int]$times[2]
            Json        = (($lines | Where-Object { $_ -notlike 'TIMES *' }) -join "`n") | ConvertFrom-Json
        }
    }
}

Describe 'First commands on the host, in a throwaway network namespace' -Tag Host {
    BeforeAll {
        $ns = New-TestNetworkNamespace
        $sets = @'
create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
add KUBE-CLUSTER-IP 10.96.0.10,udp:53
add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
add KUBE-LOOP-BACK 10.244.1.5,tcp:53,10.244.1.5
'@
        Invoke-InNamespace $ns ipset 'restore' -InputText ($sets + "`n") -Check | Out-Null
        $rules = @'
*nat
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
COMMIT
'@
        Invoke-InNamespace $ns iptables-restore -InputText ($rules + "`n") -Check | Out-Null
    }
    AfterAll { Remove-TestNetworkNamespace $ns }

    It 'Get-Ipset returns each set with its members as objects, as ipset save lists them' {
        $r = Invoke-FirstCommand "Get-Ipset -NetworkNamespace $ns" @'
$first | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Type = $_.Type; Members = @($_.Members | ForEach-Object { [pscustomobject]@{ Element = $_.Element; Address = "$($_.Address)"; Port = $_.Port; Protocol = "$($_.Protocol)"; Type = $_.GetType().FullName } }) } } | ConvertTo-Json -Depth 4 -AsArray
'@
        Write-Host "figure: host, fresh pwsh: Import-Module IpvsTools $($r.ImportMs) ms, first Get-Ipset $($r.FirstCallMs) ms"
        $save = (Invoke-InNamespace $ns ipset 'save' -Check).Output -split "`n" | Where-Object { $_ -like 'add *' }
        $fromModule = foreach ($s in $r.Json) { foreach ($m in $s.Members) { "add $($s.Name) $($m.Element)" } }
        ($fromModule | Sort-Object) | Should -Be ($save | Sort-Object)
        ($r.Json | Where-Object Name -eq 'KUBE-CLUSTER-IP').Type | Should -Be 'hash:ip,port'
        $dns = $r.Json.Members | Where-Object Element -eq '10.96.0.10,udp:53'
        $dns.Address | Should -Be '10.96.0.10'
        $dns.Port | Should -Be 53
        $dns.Protocol | Should -Match '^udp$'
        $dns.Type | Should -Not -Be 'System.String' -Because 'members are objects, not lines'
    }

    It 'Get-KubeIptablesRule returns the KUBE rules iptables-save shows, with the set they reference' {
        $r = Invoke-FirstCommand "Get-KubeIptablesRule -NetworkNamespace $ns" @'
$first | ForEach-Object { [pscustomobject]@{ Table = $_.Table; Chain = $_.Chain; Target = $_.Target; Sets = @($_.ReferencedSets | ForEach-Object { "$_" }) } } | ConvertTo-Json -Depth 3 -AsArray
'@
        Write-Host "figure: host, fresh pwsh: Import-Module IpvsTools $($r.ImportMs) ms, first Get-KubeIptablesRule $($r.FirstCallMs) ms"
        $saved = (Invoke-InNamespace $ns iptables-save '-t', 'nat' -Check).Output -split "`n" | Where-Object { $_ -like '-A *' }
        $fromModule = $r.Json | ForEach-Object { "$($_.Chain)>$($_.Target)" }
        $fromTool = $saved | ForEach-Object { if ($_ -match '^-A (\S+) .*-j (\S+)') { "$($Matches[1])>$($Matches[2])" } }
        ($fromModule | Sort-Object) | Should -Be ($fromTool | Sort-Object)
        ($r.Json | Where-Object Chain -eq 'KUBE-SERVICES').Sets | Should -Match '^KUBE-CLUSTER-IP\b'
    }

    # build.ps1 -Task Package ships ReadyToRun images for the runtime pwsh 7.6 runs on (src/IpvsTools.ReadyToRun):
    # the runtime's own log of what it JIT-compiles (DOTNET_JitStdOutFile, DOTNET_JitDisasmSummary) shows whether
    # their native code is used. Only the methods marked AggressiveOptimization, which crossgen2 leaves to the JIT
    # by design, may be compiled at the first call; a rejected image shows as the module's methods at Tier0.
    It 'the installed module runs its precompiled (ReadyToRun) code: a first Get-Ipset JIT-compiles none of its methods but the AggressiveOptimization ones' {
        $log = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'ivt-jit-' + [guid]::NewGuid().ToString('N') + '.txt')
        try {
            $r = Invoke-FreshPwsh "Import-Module IpvsTools; `$null = Get-Ipset -NetworkNamespace $ns; 'DONE'" -Environment @{ DOTNET_JitStdOutFile = $log; DOTNET_JitDisasmSummary = '1' }
            $r.Output | Should -Match 'DONE'
            $compiled = [System.IO.File]::ReadAllLines($log) | Where-Object { $_ -match 'JIT compiled (IpvsTools|Tmds)\.' }
            # The log covers the module: the netlink receive path is AggressiveOptimization, compiled at first call.
            $compiled | Where-Object { $_ -match 'IpvsTools\.Netlink\.NetlinkSocket:' -and $_ -match '\[FullOpts' } | Should -Not -BeNullOrEmpty
            $jitted = @($compiled | Where-Object { $_ -notmatch '\[FullOpts' })
            $jitted | Should -BeNullOrEmpty -Because "the package's ReadyToRun code must be used; JIT-compiled instead: $($jitted | Select-Object -First 5)"
        }
        finally { if ([System.IO.File]::Exists($log)) { [System.IO.File]::Delete($log) } }
    }

    It 'Get-KubeIpvsInterface says there is no kube-ipvs0 with one ObjectNotFound error (the host has no dummy links)' {
        $r = Invoke-FreshPwsh "Import-Module IpvsTools; Get-KubeIpvsInterface -NetworkNamespace $ns -ErrorVariable e -ErrorAction SilentlyContinue; `"COUNT=`$(`$e.Count) ID=`$(`$e[0].FullyQualifiedErrorId) CAT=`$(`$e[0].CategoryInfo.Category)`""
        $r.Output | Should -Match 'COUNT=1 ID=GetKubeIpvsInterfaceNotFound,\S+ CAT=ObjectNotFound'
        (Invoke-InNamespace $ns ip 'link', 'show', 'kube-ipvs0').ExitCode | Should -Not -Be 0
    }
}

Describe 'First commands in the lab (IPVS), in a throwaway network namespace' -Tag Lab {
    BeforeAll {
        $ns = New-TestNetworkNamespace
        $table = @'
-A -t 10.96.0.10:53 -s rr
-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 1
-A -u 10.96.0.10:53 -s rr
-a -u 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
-a -u 10.96.0.10:53 -r 10.244.2.7:53 -m -w 0
-A -t 10.96.100.20:80 -s wrr
-a -t 10.96.100.20:80 -r 10.244.3.9:8080 -m -w 3
'@
        Invoke-InNamespace $ns ipvsadm '-R' -InputText ($table + "`n") -Check | Out-Null
    }
    AfterAll { Remove-TestNetworkNamespace $ns }

    # Under emulation a fresh pwsh costs minutes: the test's own pwsh imports the module by name here
    # (tests/bench/pwsh-startup.sh times a fresh process's import and first call in the lab).
    It 'Get-IpvsService returns the services ipvsadm -Sn lists, each with its real servers as objects' {
        Import-Module IpvsTools
        (Get-Module IpvsTools).ModuleBase | Should -BeLike '/usr/local/share/powershell/Modules/IpvsTools/*'
        $services = @(Get-IpvsService -NetworkNamespace $ns)
        $services.Count | Should -Be 3
        $save = (Invoke-InNamespace $ns ipvsadm '-Sn' -Check).Output -split "`n" | Where-Object { $_ }
        $fromModule = foreach ($s in $services) {
            $p = if ("$($s.Protocol)" -eq 'Tcp') { '-t' } else { '-u' }
            $vip = "$($s.Address):$($s.Port)"
            "-A $p $vip -s $($s.Scheduler)"
            foreach ($d in $s.Destinations) { "-a $p $vip -r $($d.Address):$($d.Port) -m -w $($d.Weight)" }
        }
        ($fromModule | Sort-Object) | Should -Be ($save | Sort-Object)
        $services[0].Destinations[0] | Should -BeOfType ([type]'IpvsTools.Ipvs.IpvsDestination')
    }
}

Describe 'about_IpvsTools troubleshooting step 5 as written, with the sample snapshot' -Tag Lab {
    BeforeAll {
        $ns = New-TestNetworkNamespace
        $about = [System.IO.File]::ReadAllText([System.IO.Path]::Combine((Get-TestRepoRoot), 'en-US', 'about_IpvsTools.help.txt'))
        $step = [regex]::Match($about, '(?s)\n\s*5\. (.*?)\n\s*6\. ').Groups[1].Value
    }
    AfterAll { Remove-TestNetworkNamespace $ns }

    It 'names a cluster source, and its Get-KubeIpvsPlan line lists the writes for an empty node' {
        $line = ($step -split "`n" | Where-Object { $_ -match '^\s*Get-KubeIpvsPlan ' }).Trim()
        $line | Should -Match '-Path \./cluster\.yaml'
        # The snapshot kubectl would write is the sample one; the node is its worker; the namespace is the test's.
        $snapshot = [System.IO.Path]::Combine((Get-TestRepoRoot), 'tests', 'Shared', 'Snapshots', 'kind-cluster.yaml')
        $command = $line.Replace('./cluster.yaml', $snapshot).Replace('(hostname)', 'kind-worker') + " -NetworkNamespace $ns"
        Import-Module IpvsTools
        $plan = @(Invoke-Expression $command)
        $plan.Count | Should -BeGreaterThan 0 -Because 'an empty node needs every write kube-proxy would make'
    }
}
