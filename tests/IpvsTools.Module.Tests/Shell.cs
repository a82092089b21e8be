namespace IpvsTools.ModuleTests;

/// <summary>Finds the built console host (tests/IpvsTools.Shell) to run the module in another process.</summary>
internal static class Shell
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                var candidate = Path.Combine(dir.FullName, "tests", "IpvsTools.Shell", "bin", configuration, "net10.0", "ipvstools-shell.dll");
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException("tests/IpvsTools.Shell is not built: run `dotnet build -c Release` at the repository root.");
    }
}
