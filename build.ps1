#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the IpvsTools module.
.DESCRIPTION
    Uses only the PowerShell language, .NET APIs and the dotnet CLI, so it also runs in a hosted
    PowerShell engine.
      Build   : dotnet build -c Release; the importable module is laid out at out/IpvsTools.
      Test    : the README test command (bash tests/run.sh), as root.
      Package : Build, then a versioned copy of out/IpvsTools at out/package/IpvsTools/<version>
                (drop it in a folder on $env:PSModulePath) and a zip of it.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = 'Build',
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleDir = [System.IO.Path]::Combine($root, 'out', 'IpvsTools')

function Invoke-Build {
    & dotnet build ([System.IO.Path]::Combine($root, 'IpvsTools.slnx')) -c $Configuration -nologo
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)" }
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($moduleDir, 'IpvsTools.psd1'))) {
        throw "The build did not lay out the module at $moduleDir"
    }
}

function Invoke-Test {
    & bash ([System.IO.Path]::Combine($root, 'tests', 'run.sh'))
    if ($LASTEXITCODE -ne 0) { throw "tests failed ($LASTEXITCODE)" }
}

function Invoke-Package {
    Invoke-Build
    $manifest = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($moduleDir, 'IpvsTools.psd1'))
    $version = [regex]::Match($manifest, "ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value
    $target = [System.IO.Path]::Combine($root, 'out', 'package', 'IpvsTools', $version)
    if ([System.IO.Directory]::Exists($target)) { [System.IO.Directory]::Delete($target, $true) }
    foreach ($file in [System.IO.Directory]::EnumerateFiles($moduleDir, '*', [System.IO.SearchOption]::AllDirectories)) {
        $relative = [System.IO.Path]::GetRelativePath($moduleDir, $file)
        $destination = [System.IO.Path]::Combine($target, $relative)
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($destination))
        [System.IO.File]::Copy($file, $destination, $true)
    }
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($target, 'dependencies'))
    $zip = [System.IO.Path]::Combine($root, 'out', "IpvsTools-$version.zip")
    if ([System.IO.File]::Exists($zip)) { [System.IO.File]::Delete($zip) }
    [System.IO.Compression.ZipFile]::CreateFromDirectory([System.IO.Path]::Combine($root, 'out', 'package'), $zip)
    "Packaged $target and $zip"
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
    }
}
