using OneStopPi.Snmp;

namespace OneStopPi.Agent.Cli;

/// <summary>Turns failures into a one-line reason on stderr and an exit code: 1 for the device, 2 for the command line.</summary>
internal static class CliErrors
{
    public const int DeviceError = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            return Fail(UsageError, e.Message);
        }
        catch (SnmpTimeoutException e)
        {
            return Fail(DeviceError, $"timeout: {e.Message}");
        }
        catch (SnmpReportException e)
        {
            string reason = e.Kind switch
            {
                SnmpReportKind.UnknownUserName => "authentication failure: unknown user",
                SnmpReportKind.WrongDigest => "authentication failure: wrong digest (check the authentication password and protocol)",
                SnmpReportKind.DecryptionError => "authentication failure: decryption error (check the privacy password and protocol)",
                SnmpReportKind.UnsupportedSecurityLevel => "authentication failure: unsupported security level",
                SnmpReportKind.UnknownContext => "unknown context",
                _ => SnmpReportException.Describe(e.Kind),
            };
            return Fail(DeviceError, $"{reason} ({e.Target})");
        }
        catch (SnmpException e)
        {
            return Fail(DeviceError, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(DeviceError, "cancelled");
        }
        catch (IOException e)
        {
            return Fail(DeviceError, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(DeviceError, e.Message);
        }
    }

    /// <summary>Reports a command line that cannot run (exit code 2).</summary>
    public static int Usage(string message) => Fail(UsageError, message);

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"onestoppi: {message}");
        return code;
    }
}
