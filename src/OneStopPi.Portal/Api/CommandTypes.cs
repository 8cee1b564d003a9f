using OneStopPi.Contracts;

namespace OneStopPi.Portal.Api;

/// <summary>
/// The command queue's rules over the stored type number (Entities: AgentCommand.Type): names, result files and
/// parameters are the contract's (CommandRules); what the generic queue refuses is the portal's.
/// </summary>
internal static class CommandTypes
{
    public const int Upgrade = (int)CommandType.Upgrade;

    public static string Name(int type) => CommandRules.Name((CommandType)type);

    /// <summary>Commands whose result is a ZIP the agent uploads.</summary>
    public static bool HasResultFile(int type) => CommandRules.HasResultFile((CommandType)type);

    /// <summary>An error sentence, or null when type and parameter fit together.</summary>
    public static string? Check(int type, string? parameter) => type == Upgrade
        ? "queue an upgrade (7) with POST /agents/{id}/upgrade or /sites/{id}/upgrade: the portal writes its parameter from the uploaded release"
        : CommandRules.CheckParameter((CommandType)type, parameter);
}
