#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the IpvsTools module.
.DESCRIPTION
    Uses only the PowerShell language, .NET APIs and the dotnet CLI, so it also runs in a hosted
    PowerShell engine (no utility cmdlets, no PowerShellGet).
      Build   : dotnet build -c Release; the importable module is laid out at out/IpvsTools.
      Test    : the README test command (bash tests/run.sh), as root.
      Package : Build (unless -NoBuild), then
                - out/package/IpvsTools/<version> (<OutputPath>/package/... with -OutputPath): the module,
                  versioned (drop it in a folder on $env:PSModulePath),
                  its assemblies as ReadyToRun images for linux-x64 (unless -NoReadyToRun; see below);
                - out/IpvsTools.<version>.nupkg: a PowerShellGet/PSResourceGet package (the .nuspec with id,
                  version, authors, description, tags incl. PSModule, and the module files at the package
                  root) that Install-PSResource takes from a local repository (Register-PSResourceRepository
                  -Name Local -Uri <folder>).
.PARAMETER Task
    Build, Test, Package (several run in order).
.PARAMETER Configuration
    The dotnet build configuration (Release).
.PARAMETER NoBuild
    Package the module already laid out at out/IpvsTools instead of building first.
.PARAMETER OutputPath
    The folder that receives the .nupkg and the versioned layout under package/ (default: out). Two
    packagings at once (tests/run.sh's lab chain beside the unit tier's PackageTests) need two folders.
.PARAMETER NoReadyToRun
    Package the assemblies as dotnet build made them (IL only). By default Package publishes
    src/IpvsTools.ReadyToRun, which runs crossgen2 over IpvsTools.dll, IpvsTools.Core.dll, the linux-x64
    Tmds.LibC.dll, and the cluster adapter's IpvsTools.Kube.dll, KubernetesClient.dll, YamlDotNet.dll and
    Fractions.dll: the same IL plus native code for the .NET runtime pwsh 7.6 runs on, so a
    session's first commands do not wait for the JIT. Other runtimes (pwsh 7.4, 7.5) and architectures ignore
    that code and compile the IL as before. NuGet restore fetches the crossgen2 and runtime packs.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Package
    Register-PSResourceRepository -Name Local -Uri ./out -Trusted
    Install-PSResource IpvsTools -Repository Local
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = 'Build',
    [string] $Configuration = 'Release',
    [switch] $NoBuild,
    [string] $OutputPath,
    [switch] $NoReadyToRun
)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleDir = [System.IO.Path]::Combine($root, 'out', 'IpvsTools')
if (-not $OutputPath) { $OutputPath = [System.IO.Path]::Combine($root, 'out') }
$OutputPath = [System.IO.Path]::GetFullPath($OutputPath, $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath)

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

# The manifest's data, read as data: restricted language only, nothing in it runs.
function Read-Manifest([string] $path) {
    $block = [scriptblock]::Create([System.IO.File]::ReadAllText($path))
    $block.CheckRestrictedLanguage([string[]]@(), [string[]]@(), $false)
    & $block
}

function Get-XmlText([string] $value) { [System.Security.SecurityElement]::Escape($value) }

# The .nuspec as PowerShellGet writes it for a module: its tags carry PSModule and one PSCmdlet_/PSCommand_
# tag per exported cmdlet, which is how galleries and Find-PSResource -Type Module tell what it holds.
function New-Nuspec($manifest, [string] $version) {
    $psData = $manifest.PrivateData.PSData
    $tags = [System.Collections.Generic.List[string]]::new()
    foreach ($t in @($psData.Tags) + 'PSModule' + 'PSIncludes_Cmdlet') { if ($t -and -not $tags.Contains($t)) { $tags.Add($t) } }
    foreach ($c in $manifest.CmdletsToExport) { $tags.Add("PSCmdlet_$c"); $tags.Add("PSCommand_$c") }
    $editions = foreach ($e in @($manifest.CompatiblePSEditions)) { "PSEdition_$e" }
    foreach ($e in $editions) { $tags.Add($e) }
    $optional = [System.Text.StringBuilder]::new()
    if ($psData.ProjectUri) { [void]$optional.AppendLine("    <projectUrl>$(Get-XmlText $psData.ProjectUri)</projectUrl>") }
    if ($psData.LicenseUri) { [void]$optional.AppendLine("    <licenseUrl>$(Get-XmlText $psData.LicenseUri)</licenseUrl>") }
    if ($psData.ReleaseNotes) { [void]$optional.AppendLine("    <releaseNotes>$(Get-XmlText $psData.ReleaseNotes)</releaseNotes>") }
    @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>IpvsTools</id>
    <version>$(Get-XmlText $version)</version>
    <authors>$(Get-XmlText $manifest.Author)</authors>
    <owners>$(Get-XmlText $manifest.CompanyName)</owners>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
    <description>$(Get-XmlText $manifest.Description)</description>
    <copyright>$(Get-XmlText $manifest.Copyright)</copyright>
    <tags>$(Get-XmlText ($tags -join ' '))</tags>
$($optional.ToString().TrimEnd())
  </metadata>
</package>
"@
}

function Add-ZipText([System.IO.Compression.ZipArchive] $zip, [string] $name, [string] $text) {
    $entry = $zip.CreateEntry($name)
    $writer = [System.IO.StreamWriter]::new($entry.Open(), [System.Text.UTF8Encoding]::new($false))
    try { $writer.Write($text) } finally { $writer.Dispose() }
}

# A .nupkg is an OPC zip: the module's files at the root, the .nuspec, [Content_Types].xml naming every
# extension, _rels/.rels pointing at the .nuspec and the core properties.
function New-Nupkg([string] $source, [string] $nuspec, [string] $version, $manifest, [string] $path) {
    [void][System.Reflection.Assembly]::Load('System.IO.Compression')
    if ([System.IO.File]::Exists($path)) { [System.IO.File]::Delete($path) }
    $files = [System.IO.Directory]::GetFiles($source, '*', [System.IO.SearchOption]::AllDirectories)
    $extensions = [System.Collections.Generic.SortedSet[string]]::new([string[]]@('nuspec', 'psmdcp', 'rels'))
    foreach ($f in $files) { $e = [System.IO.Path]::GetExtension($f).TrimStart('.'); if ($e) { [void]$extensions.Add($e.ToLowerInvariant()) } }
    $types = foreach ($e in $extensions) { "  <Default Extension=`"$e`" ContentType=`"application/octet`" />" }
    $corePropertiesName = 'package/services/metadata/core-properties/' + [guid]::NewGuid().ToString('N') + '.psmdcp'
    $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::CreateNew)
    $zip = [System.IO.Compression.ZipArchive]::new($stream, [System.IO.Compression.ZipArchiveMode]::Create)
    try {
        Add-ZipText $zip '_rels/.rels' @"
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/IpvsTools.nuspec" Id="R1" />
  <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/$corePropertiesName" Id="R2" />
</Relationships>
"@
        Add-ZipText $zip 'IpvsTools.nuspec' $nuspec
        foreach ($f in $files) {
            $name = [System.IO.Path]::GetRelativePath($source, $f).Replace('\', '/')
            $entry = $zip.CreateEntry($name, [System.IO.Compression.CompressionLevel]::Optimal)
            $to = $entry.Open()
            $from = [System.IO.File]::OpenRead($f)
            try { $from.CopyTo($to) } finally { $from.Dispose(); $to.Dispose() }
        }
        Add-ZipText $zip $corePropertiesName @"
<?xml version="1.0" encoding="utf-8"?>
<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">
  <dc:creator>$(Get-XmlText $manifest.Author)</dc:creator>
  <dc:description>$(Get-XmlText $manifest.Description)</dc:description>
  <dc:identifier>IpvsTools</dc:identifier>
  <version>$(Get-XmlText $version)</version>
  <keywords>$(Get-XmlText (@($manifest.PrivateData.PSData.Tags) -join ' '))</keywords>
  <lastModifiedBy>build.ps1</lastModifiedBy>
</coreProperties>
"@
        Add-ZipText $zip '[Content_Types].xml' (@(
            '<?xml version="1.0" encoding="utf-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            $types
            '</Types>') -join "`n")
    }
    finally {
        $zip.Dispose()
        $stream.Dispose()
    }
}

# Whether a file is a ReadyToRun image (its CLI header points at a ReadyToRun header) rather than IL only.
function Test-ReadyToRunImage([string] $path) {
    $stream = [System.IO.File]::OpenRead($path)
    try {
        $reader = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try { $reader.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 } finally { $reader.Dispose() }
    }
    finally { $stream.Dispose() }
}

# The module's assemblies compiled ReadyToRun for linux-x64 (src/IpvsTools.ReadyToRun), copied over the IL-only
# ones at their places in the package folder. Every one of them must come out as a ReadyToRun image.
function Add-ReadyToRunImages([string] $target) {
    $publish = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'ipvstools-r2r-' + [guid]::NewGuid().ToString('N'))
    try {
        & dotnet publish ([System.IO.Path]::Combine($root, 'src', 'IpvsTools.ReadyToRun', 'IpvsTools.ReadyToRun.csproj')) -c $Configuration "-p:ModuleDir=$moduleDir" -o $publish -nologo -v quiet
        if ($LASTEXITCODE -ne 0) { throw "dotnet publish of src/IpvsTools.ReadyToRun failed ($LASTEXITCODE)" }
        $places = [ordered]@{
            'IpvsTools.dll'      = 'IpvsTools.dll'
            'IpvsTools.Core.dll' = 'IpvsTools.Core.dll'
            'IpvsTools.Kube.dll' = [System.IO.Path]::Combine('dependencies', 'IpvsTools.Kube.dll')
            'Tmds.LibC.dll'      = [System.IO.Path]::Combine('runtimes', 'linux-x64', 'Tmds.LibC.dll')
            # The cluster adapter's context: a session's first snapshot read (YAML above all) JIT-compiles ~1,000
            # of their methods without these images, ~250 with them.
            'KubernetesClient.dll' = [System.IO.Path]::Combine('dependencies', 'KubernetesClient.dll')
            'YamlDotNet.dll'       = [System.IO.Path]::Combine('dependencies', 'YamlDotNet.dll')
            'Fractions.dll'        = [System.IO.Path]::Combine('dependencies', 'Fractions.dll')
        }
        foreach ($name in $places.Keys) {
            $image = [System.IO.Path]::Combine($publish, $name)
            $destination = [System.IO.Path]::Combine($target, $places[$name])
            if (-not (Test-ReadyToRunImage $image)) { throw "crossgen2 made no ReadyToRun image of $name" }
            if (-not [System.IO.File]::Exists($destination)) { throw "the module has no $($places[$name]) to replace with its ReadyToRun image" }
            [System.IO.File]::Copy($image, $destination, $true)
        }
    }
    finally {
        if ([System.IO.Directory]::Exists($publish)) { [System.IO.Directory]::Delete($publish, $true) }
    }
}

function Invoke-Package {
    if (-not $NoBuild) { Invoke-Build }
    $manifestPath = [System.IO.Path]::Combine($moduleDir, 'IpvsTools.psd1')
    if (-not [System.IO.File]::Exists($manifestPath)) { throw "No module at $($moduleDir): build first (./build.ps1), or drop -NoBuild" }
    $manifest = Read-Manifest $manifestPath
    $version = "$($manifest.ModuleVersion)"
    $target = [System.IO.Path]::Combine($OutputPath, 'package', 'IpvsTools', $version)
    if ([System.IO.Directory]::Exists($target)) { [System.IO.Directory]::Delete($target, $true) }
    foreach ($file in [System.IO.Directory]::EnumerateFiles($moduleDir, '*', [System.IO.SearchOption]::AllDirectories)) {
        $relative = [System.IO.Path]::GetRelativePath($moduleDir, $file)
        $destination = [System.IO.Path]::Combine($target, $relative)
        [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($destination))
        [System.IO.File]::Copy($file, $destination, $true)
    }
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($target, 'dependencies'))
    if (-not $NoReadyToRun) { Add-ReadyToRunImages $target }
    [void][System.IO.Directory]::CreateDirectory($OutputPath)
    $nupkg = [System.IO.Path]::Combine($OutputPath, "IpvsTools.$version.nupkg")
    New-Nupkg $target (New-Nuspec $manifest $version) $version $manifest $nupkg
    "Packaged $target and $nupkg"
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
    }
}
