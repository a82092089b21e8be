using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace IpvsTools.Shell;

/// <summary>A non-interactive PSHost: output goes to a TextWriter, prompts are refused.</summary>
public sealed class ConsoleHost(TextWriter output, TextWriter error, int width) : PSHost
{
    private readonly HostUserInterface _ui = new(output, error, width);

    public int ExitCode { get; private set; }
    public override string Name => "IpvsTools.Shell";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.GetCultureInfo("en-US");
    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("This host is not interactive.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("This host is not interactive.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed partial class HostUserInterface(TextWriter output, TextWriter error, int width) : PSHostUserInterface
{
    private readonly RawUserInterface _raw = new(width);

    // The formatter styles table headers whatever $PSStyle.OutputRendering says; a host that renders
    // plain text strips the escape sequences itself (as pwsh's console host does).
    [System.Text.RegularExpressions.GeneratedRegex("\x1b\\[[0-9;?]*[A-Za-z]")]
    private static partial System.Text.RegularExpressions.Regex Escape();

    private static string Plain(string value) => Escape().Replace(value, "");

    public override PSHostRawUserInterface RawUI => _raw;
    public override string ReadLine() => throw Refuse();
    public override SecureString ReadLineAsSecureString() => throw Refuse();
    public override void Write(string value) => output.Write(Plain(value));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => output.Write(Plain(value));
    public override void WriteLine(string value) => output.WriteLine(Plain(value));
    public override void WriteErrorLine(string value) => error.WriteLine(Plain(value));
    public override void WriteDebugLine(string message) => error.WriteLine("DEBUG: " + message);
    public override void WriteVerboseLine(string message) => error.WriteLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message) => error.WriteLine("WARNING: " + message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw Refuse();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw Refuse();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw Refuse();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw Refuse();

    private static PSInvalidOperationException Refuse() => new("This host is not interactive: pass -Confirm:$false or -Force instead of answering prompts.");
}

internal sealed class RawUserInterface(int width) : PSHostRawUserInterface
{
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override Size BufferSize { get; set; } = new(width, 9999);
    public override Size WindowSize { get; set; } = new(width, 50);
    public override Size MaxWindowSize => new(width, 50);
    public override Size MaxPhysicalWindowSize => new(width, 50);
    public override Coordinates WindowPosition { get; set; }
    public override string WindowTitle { get; set; } = "";
    public override bool KeyAvailable => false;
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
}
