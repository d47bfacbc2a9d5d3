# Bootstrap for the C# build in build/_build.csproj (NUKE-style); same logic as build.sh.
#
#   ./build.ps1 [targets] [--options]       (or: dotnet pwsh build.ps1 ..., build.cmd ... on Windows)
#
# Fast path: when none of the build's inputs changed since the last successful compile
# (fingerprint of paths, sizes and LastWriteTimeUtc in .nuke/temp/build.fingerprint.ps1)
# and build/bin/_build.dll exists, the compiled build is started at once: no MSBuild,
# no `dotnet --version`.
# Slow path: find or install the .NET SDK, compile the build quietly, record the
# fingerprint, then start the compiled build. Works on PowerShell 7 and Windows PowerShell 5.1.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$Root = $PSScriptRoot
$TempDir = [System.IO.Path]::Combine($Root, '.nuke', 'temp')
$FingerprintFile = [System.IO.Path]::Combine($TempDir, 'build.fingerprint.ps1')
$BuildProject = [System.IO.Path]::Combine($Root, 'build', '_build.csproj')
$BuildDll = [System.IO.Path]::Combine($Root, 'build', 'bin', '_build.dll')
$LocalDotnetDir = [System.IO.Path]::Combine($TempDir, 'dotnet')

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
$env:DOTNET_CLI_UI_LANGUAGE = 'en'

$OnWindows = ($PSVersionTable.PSEdition -eq 'Desktop') -or $IsWindows
$LocalDotnet = [System.IO.Path]::Combine($LocalDotnetDir, $(if ($OnWindows) { 'dotnet.exe' } else { 'dotnet' }))

# A stable hash of the build's inputs: *.cs *.csproj *.props *.targets *.json under build/ and
# src/MeshHook.*/ (bin/ and obj/ excluded) plus the root files MSBuild and the SDK read;
# one line "relative-path size ticks" each, sorted ordinally.
function Get-BuildFingerprint {
    $extensions = @('.cs', '.csproj', '.props', '.targets', '.json')
    $lines = New-Object System.Collections.Generic.List[string]
    $rootLength = $Root.TrimEnd('\', '/').Length + 1
    $addFile = {
        param([System.IO.FileInfo] $file)
        $relative = $file.FullName.Substring($rootLength).Replace('\', '/')
        $lines.Add(('{0} {1} {2}' -f $relative, $file.Length, $file.LastWriteTimeUtc.Ticks))
    }
    foreach ($name in @('Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props', 'global.json', 'NuGet.config')) {
        $file = New-Object System.IO.FileInfo ([System.IO.Path]::Combine($Root, $name))
        if ($file.Exists) { & $addFile $file }
    }
    $pending = New-Object System.Collections.Generic.Stack[System.IO.DirectoryInfo]
    $buildDir = New-Object System.IO.DirectoryInfo ([System.IO.Path]::Combine($Root, 'build'))
    if ($buildDir.Exists) { $pending.Push($buildDir) }
    $srcDir = New-Object System.IO.DirectoryInfo ([System.IO.Path]::Combine($Root, 'src'))
    if ($srcDir.Exists) { foreach ($d in $srcDir.GetDirectories('MeshHook.*')) { $pending.Push($d) } }
    while ($pending.Count -gt 0) {
        $dir = $pending.Pop()
        foreach ($file in $dir.GetFiles()) {
            if ($extensions -contains $file.Extension.ToLowerInvariant() -or $file.Name -ieq 'nuget.config') { & $addFile $file }
        }
        foreach ($sub in $dir.GetDirectories()) {
            if ($sub.Name -ne 'bin' -and $sub.Name -ne 'obj') { $pending.Push($sub) }
        }
    }
    $sorted = $lines.ToArray()
    [Array]::Sort($sorted, [StringComparer]::Ordinal)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($sorted -join "`n"))
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { return ([BitConverter]::ToString($sha.ComputeHash($bytes)) -replace '-', '') } finally { $sha.Dispose() }
}

function Test-OnPath([string] $name) {
    return [bool](Get-Command $name -CommandType Application -ErrorAction SilentlyContinue)
}

function Use-LocalDotnet([string] $exe) {
    $env:DOTNET_ROOT = [System.IO.Path]::GetDirectoryName($exe)
    $env:PATH = $env:DOTNET_ROOT + [System.IO.Path]::PathSeparator + $env:PATH
}

function Exit-SdkMissing([string] $reason) {
    [Console]::Error.WriteLine("error: the .NET SDK was not found and could not be downloaded ($reason). " +
        'Install the .NET SDK named in global.json (https://dotnet.microsoft.com/download) and run again.')
    exit 1
}

# Starts the compiled build with the arguments unchanged and returns its exit code (PowerShell 7).
# PowerShell 7 on Linux/macOS expands wildcards (* ?) in arguments it passes to native programs,
# even from variables and splatting; ProcessStartInfo.ArgumentList passes them verbatim.
# The build inherits the console (stdin, stdout, stderr) as with `&`.
function Invoke-CompiledBuild([string] $dotnetExe, [object[]] $arguments) {
    if (-not [System.IO.Path]::IsPathRooted($dotnetExe)) {
        # Process.Start would look beside the running host (pwsh's own dotnet) before PATH.
        $dotnetExe = @(Get-Command $dotnetExe -CommandType Application)[0].Source
    }
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo $dotnetExe
    $startInfo.UseShellExecute = $false
    $startInfo.ArgumentList.Add($BuildDll)
    foreach ($argument in $arguments) { $startInfo.ArgumentList.Add([string] $argument) }
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $process.WaitForExit()
        return $process.ExitCode
    } finally {
        $process.Dispose()
    }
}

# The fingerprint file holds two lines: the fingerprint, and the dotnet that compiled the
# build ("dotnet" = the one on PATH, else an absolute path). The fast path uses .NET calls
# rather than cmdlets such as Join-Path/Test-Path, whose module takes ~0.1 s to load.
$Fingerprint = Get-BuildFingerprint
if ([System.IO.File]::Exists($BuildDll) -and [System.IO.File]::Exists($FingerprintFile)) {
    $saved = @([System.IO.File]::ReadAllLines($FingerprintFile))
    if ($saved.Count -ge 2 -and $saved[0] -eq $Fingerprint) {
        $dotnet = $null
        if ($saved[1] -eq 'dotnet') {
            if (Test-OnPath 'dotnet') { $dotnet = 'dotnet' }
        } elseif ([System.IO.Path]::IsPathRooted($saved[1]) -and [System.IO.File]::Exists($saved[1])) {
            $dotnet = $saved[1]
            Use-LocalDotnet $dotnet
        }
        if ($dotnet) {
            if ($PSVersionTable.PSEdition -eq 'Desktop') {
                & $dotnet $BuildDll @args
                exit $LASTEXITCODE
            }
            exit (Invoke-CompiledBuild $dotnet $args)
        }
    }
}

# --- choose dotnet ---------------------------------------------------------------------
# Native calls run with 'Continue' so that Windows PowerShell does not turn stderr into errors.
$dotnet = $null
if (Test-OnPath 'dotnet') {
    # `dotnet --version` runs in the root so that it honours global.json.
    Push-Location -LiteralPath $Root
    try {
        $ErrorActionPreference = 'Continue'
        & dotnet --version *> $null
        if ($LASTEXITCODE -eq 0) { $dotnet = 'dotnet' }
    } catch {
        $dotnet = $null
    } finally {
        $ErrorActionPreference = 'Stop'
        Pop-Location
    }
}
if (-not $dotnet -and (Test-Path -LiteralPath $LocalDotnet -PathType Leaf)) {
    $dotnet = $LocalDotnet
}
if (-not $dotnet) {
    New-Item -ItemType Directory -Force -Path $TempDir | Out-Null
    $scriptName = $(if ($OnWindows) { 'dotnet-install.ps1' } else { 'dotnet-install.sh' })
    $scriptUrl = "https://dot.net/v1/$scriptName"
    $installScript = Join-Path $TempDir $scriptName
    [Console]::Error.WriteLine("The .NET SDK was not found; installing it into $LocalDotnetDir ...")
    try {
        if ($PSVersionTable.PSEdition -eq 'Desktop') {
            [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
        }
        $request = @{ Uri = $scriptUrl; OutFile = $installScript; UseBasicParsing = $true; TimeoutSec = 60 }
        if ($PSVersionTable.PSVersion -ge [Version] '7.4') {
            $request.Remove('TimeoutSec')
            $request.ConnectionTimeoutSeconds = 5
            $request.OperationTimeoutSeconds = 60
        }
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest @request
    } catch {
        Exit-SdkMissing "downloading $scriptUrl failed: $($_.Exception.Message)"
    }
    $globalJson = Join-Path $Root 'global.json'
    $ErrorActionPreference = 'Continue'
    try {
        if ($OnWindows) {
            if (Test-Path -LiteralPath $globalJson) {
                & $installScript -InstallDir $LocalDotnetDir -NoPath -JSonFile $globalJson
            } else {
                & $installScript -InstallDir $LocalDotnetDir -NoPath -Channel STS
            }
        } else {
            if (Test-Path -LiteralPath $globalJson) {
                & bash $installScript --install-dir $LocalDotnetDir --no-path --jsonfile $globalJson
            } else {
                & bash $installScript --install-dir $LocalDotnetDir --no-path --channel STS
            }
        }
    } catch {
        Exit-SdkMissing "the install script failed: $($_.Exception.Message)"
    }
    $ErrorActionPreference = 'Stop'
    if (-not (Test-Path -LiteralPath $LocalDotnet -PathType Leaf)) {
        Exit-SdkMissing "the install script did not produce $LocalDotnet"
    }
    $dotnet = $LocalDotnet
}
if ($dotnet -ne 'dotnet') { Use-LocalDotnet $dotnet }

# --- compile the build -----------------------------------------------------------------
# No node reuse / compiler server: nothing is left running after the bootstrap.
Push-Location -LiteralPath $Root
try {
    $ErrorActionPreference = 'Continue'
    $buildOutput = & $dotnet build $BuildProject -nologo -clp:NoSummary --verbosity quiet /nodeReuse:false /p:UseSharedCompilation=false 2>&1
    $buildExitCode = $LASTEXITCODE
} finally {
    $ErrorActionPreference = 'Stop'
    Pop-Location
}
if ($buildExitCode -ne 0) {
    foreach ($line in @($buildOutput)) { [Console]::Error.WriteLine("$line") }
    [Console]::Error.WriteLine("error: compiling $BuildProject failed")
    exit 1
}

# The fingerprint was taken before compiling, so edits made meanwhile are seen next time.
New-Item -ItemType Directory -Force -Path $TempDir | Out-Null
$pendingFile = "$FingerprintFile.$PID"
Set-Content -LiteralPath $pendingFile -Value @($Fingerprint, $dotnet)
Move-Item -LiteralPath $pendingFile -Destination $FingerprintFile -Force

if ($PSVersionTable.PSEdition -eq 'Desktop') {
    & $dotnet $BuildDll @args
    exit $LASTEXITCODE
}
exit (Invoke-CompiledBuild $dotnet $args)
