using System.CommandLine;

namespace Toil.Runtime.Cli;

/// <summary>
/// <c>toil install-aliases DIRECTORY [--force]</c>: links <c>toil-worker</c>, <c>toil-contained-executor</c> and
/// <c>toil-mesos-executor</c> in a directory to the <c>toil</c> program, so batch systems and Toil configurations that
/// name those programs find them (<see cref="EntryPointAlias"/> dispatches on the invoked name). The links are not in
/// the tool package (a symlink inside a package becomes a copy of the program). Unix only.
/// </summary>
internal static class InstallAliasesCommand
{
    /// <summary>The sub-command's name.</summary>
    public const string Name = "install-aliases";

    /// <summary>Creates the sub-command.</summary>
    /// <returns>The <c>install-aliases</c> command.</returns>
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("DIRECTORY")
        {
            Description = "Where to make the links (created if missing), e.g. ~/.local/bin or the directory of toil itself.",
            Arity = ArgumentArity.ExactlyOne,
        };
        var target = new Option<FileInfo?>("--target")
        {
            Description = "The program the links point to (default: the running toil program).",
        };
        var force = new Option<bool>("--force") { Description = "Replace existing files of those names." };
        var command = new Command(Name, "Links toil-worker, toil-contained-executor and toil-mesos-executor to the toil program.")
        {
            directory,
            target,
            force,
        };
        command.SetAction(parse =>
        {
            string? program = parse.GetValue(target)?.FullName ?? RunningProgram();
            if (program is null)
            {
                Console.Error.WriteLine(
                    "error: this process was not started as the toil program (for example through 'dotnet toil' or 'dotnet toil.dll'); " +
                    "install the tool globally or with --tool-path, or name the program with --target");
                return 1;
            }

            try
            {
                foreach (string link in EntryPointAlias.Install(parse.GetRequiredValue(directory).FullName, program, parse.GetValue(force)))
                {
                    Console.Out.WriteLine($"{link} -> {program}");
                }

                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The running <c>toil</c> apphost, or <see langword="null"/> when the process is <c>dotnet</c> itself.</summary>
    private static string? RunningProgram() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "toil" ? path : null;
}
