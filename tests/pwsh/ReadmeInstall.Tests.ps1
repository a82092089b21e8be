# README.md's "Install on a node" steps, run as written, and the package the tier installed, imported by name.

BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $repo = Get-TestRepoRoot

    # The fenced code blocks of README.md's "## Install on a node" section, in order: @{ Language; Text }.
    function Get-ReadmeInstallBlocks {
        $text = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($repo, 'README.md'))
        $start = $text.IndexOf("`n## Install on a node")
        if ($start -lt 0) { throw "README.md has no '## Install on a node' section" }
        $end = $text.IndexOf("`n## ", $start + 5)
        $section = $text.Substring($start, $end - $start)
        foreach ($m in [regex]::Matches($section, '(?ms)^```(\w+)\n(.*?)^```')) {
            [pscustomobject]@{ Language = $m.Groups[1].Value; Text = $m.Groups[2].Value }
        }
    }

    # Runs a bash script in a private mount namespace where /usr/local/share/powershell (the AllUsers
    # modules folder) and /tmp are fresh tmpfs, so README's steps start from a node that has neither, and the
    # machine's own folders are never written. $HOME is a fresh folder there too.
    function Invoke-InFreshNode([string] $script) {
        $prelude = @'
set -euo pipefail
mkdir -p /usr/local/share/powershell
mount -t tmpfs -o mode=0755 readme-modules /usr/local/share/powershell
case "$IPVSTOOLS_REPO/" in
    /tmp/*) mkdir -p /tmp/ipvstools && mount -t tmpfs readme-tmp /tmp/ipvstools ;;
    *) mount -t tmpfs -o mode=1777 readme-tmp /tmp ;;
esac
export HOME=/tmp/readme-home
mkdir -p "$HOME"
export PATH="$(dirname "$IPVSTOOLS_PWSH_BIN"):$PATH"
cd "$IPVSTOOLS_REPO"
'@
        # A user's shell: no XDG folders set (pwsh and PSResourceGet fall back to ~/.local/share and ~/.cache).
        Invoke-TestTool env '-u', 'XDG_CACHE_HOME', '-u', 'XDG_DATA_HOME', '-u', 'XDG_CONFIG_HOME', 'unshare', '--mount', '--propagation', 'private', 'bash', '-c', ($prelude + "`n" + $script) -Environment @{
            IPVSTOOLS_REPO = $repo; IPVSTOOLS_PWSH_BIN = (Get-TestPwsh)
        }
    }

    # A bash line that runs a README powershell block in a fresh pwsh, as a user would paste it.
    function ConvertTo-PwshLine([string] $block) {
        $body = "`$ErrorActionPreference = 'Stop'`n" + $block
        "pwsh -NoLogo -NoProfile -NonInteractive -Command '" + $body.Replace("'", "'\''") + "'"
    }

    $importCheck = ConvertTo-PwshLine @'
Import-Module IpvsTools
$m = Get-Module IpvsTools
"MODULEBASE=$($m.ModuleBase)"
"COMMANDS=$((Get-Command -Module IpvsTools).Count)"
'@
    $manifest = Import-PowerShellDataFile ([System.IO.Path]::Combine($repo, 'IpvsTools.psd1'))
}

Describe "README's install steps, run as written on a node without the module" -Tag Host {
    BeforeAll {
        $blocks = @(Get-ReadmeInstallBlocks)
    }

    It 'has the build line, the repository folder, the PSResourceGet block and the copy route, in that order' {
        $blocks.Count | Should -Be 4 -Because 'README names one build line and two routes (package: folder + PSResourceGet; copy)'
        $blocks[0].Text | Should -Match 'pwsh \./build\.ps1 -Task Package'
        $blocks[1].Text | Should -Match 'mkdir -p /tmp/ipvstools'
        $blocks[1].Text | Should -Match 'cp out/IpvsTools\.\*\.nupkg /tmp/ipvstools/'
        $blocks[2].Language | Should -Be 'powershell'
        $blocks[2].Text | Should -Match 'Register-PSResourceRepository'
        $blocks[3].Text | Should -Match 'mkdir -p /usr/local/share/powershell/Modules'
    }

    It 'the PSResourceGet route: build, put the .nupkg into the repository folder, register it, install, import by name' {
        # The build line runs with -NoBuild added: tests/run.sh has just run the same dotnet build, and
        # packaging is the part of the line this step is about.
        $build = ($blocks[0].Text -split "`n" | Where-Object { $_ -match '^pwsh ' } | Select-Object -First 1) -replace '\s+#.*$', ''
        $script = @(
            "$build -NoBuild"
            $blocks[1].Text
            (ConvertTo-PwshLine $blocks[2].Text)
            'test ! -e /usr/local/share/powershell/Modules/IpvsTools/*/IpvsTools.psd1 && echo NOT-INSTALLED'
            $importCheck
        ) -join "`n"
        $r = Invoke-InFreshNode $script
        $r.ExitCode | Should -Be 0 -Because "the steps must run as written: $($r.Error) $($r.Output)"
        $r.Output | Should -Not -Match 'NOT-INSTALLED'
        $r.Output | Should -Match "MODULEBASE=/usr/local/share/powershell/Modules/IpvsTools/$([regex]::Escape($manifest.ModuleVersion))"
        $r.Output | Should -Match "COMMANDS=$($manifest.CmdletsToExport.Count)\b"
    }

    It 'the copy route: create the modules folder, copy the versioned folder, import by name' {
        $script = @(
            'test -d /usr/local/share/powershell/Modules && echo MODULES-FOLDER-ALREADY-THERE'
            $blocks[3].Text
            $importCheck
        ) -join "`n"
        $r = Invoke-InFreshNode $script
        $r.ExitCode | Should -Be 0 -Because "the steps must run as written: $($r.Error) $($r.Output)"
        $r.Output | Should -Not -Match 'MODULES-FOLDER-ALREADY-THERE' -Because 'the step must start where a fresh pwsh starts'
        $r.Output | Should -Match "MODULEBASE=/usr/local/share/powershell/Modules/IpvsTools/$([regex]::Escape($manifest.ModuleVersion))"
        $r.Output | Should -Match "COMMANDS=$($manifest.CmdletsToExport.Count)\b"
    }

    It 'the copy route without creating the folder first does not give an importable module, which is why README says to' {
        # cp -r makes Modules a copy of IpvsTools (Modules/<version>/...) when the folder is not there.
        $line = $blocks[3].Text -split "`n" | Where-Object { $_ -match '^cp ' }
        $r = Invoke-InFreshNode ($line + "`n" + $importCheck)
        $r.Output | Should -Not -Match 'MODULEBASE=/'
        $r.ExitCode | Should -Not -Be 0
    }
}

Describe 'The package the tier installed, imported by name in a fresh pwsh' -Tag Unit {
    It 'imports from the AllUsers modules folder, with every cmdlet of the manifest and no other' {
        $r = Invoke-FreshPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module IpvsTools
$m = Get-Module IpvsTools
"BASE=$($m.ModuleBase)"
"VERSION=$($m.Version)"
(Get-Command -Module IpvsTools | Sort-Object Name | ForEach-Object Name) -join ','
(Get-PSResource IpvsTools -Scope AllUsers | ForEach-Object { "PSRESOURCE=$($_.Name) $($_.Version) $($_.Repository)" })
'@
        $r.ExitCode | Should -Be 0 -Because $r.Error
        $lines = $r.Output -split "`n" | ForEach-Object TrimEnd
        $lines | Should -Contain "BASE=/usr/local/share/powershell/Modules/IpvsTools/$($manifest.ModuleVersion)"
        $lines | Should -Contain "VERSION=$($manifest.ModuleVersion)"
        $lines | Should -Contain (($manifest.CmdletsToExport | Sort-Object) -join ',')
        $lines | Should -Contain "PSRESOURCE=IpvsTools $($manifest.ModuleVersion) IpvsToolsLocal"
    }

    It 'has its help, views and type data in the installed copy' {
        $r = Invoke-FreshPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module IpvsTools
"SYNOPSIS=$((Get-Help Get-IpvsService).Synopsis)"
"ABOUT=$(@(Get-Help about_IpvsTools).Count)"
"VIEW=$(@(Get-FormatData IpvsTools.Ipvs.IpvsService).Count)"
"DEPTH=$((Get-TypeData IpvsTools.Ipvs.IpvsService).SerializationDepth)"
'@
        $r.ExitCode | Should -Be 0 -Because $r.Error
        $r.Output | Should -Match 'SYNOPSIS=\S'
        $r.Output | Should -Not -Match 'SYNOPSIS=Get-IpvsService' -Because 'a synopsis that is only the syntax means the MAML help was not found'
        $r.Output | Should -Match 'ABOUT=1'
        $r.Output | Should -Match 'VIEW=[1-9]'
        $r.Output | Should -Match 'DEPTH=[1-9]'
    }
}
