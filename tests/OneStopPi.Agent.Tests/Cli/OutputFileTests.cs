using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary><c>walk --output FILE</c>: FILE.snmprec gets snmprec (as snmpsim serves it), any other name the -On text.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class OutputFileTests
{
    [TestCase("zebra")]
    [TestCase("jetdirect_m130nw")]
    [TestCase("brother_hl-5350dn")]
    public async Task Snmprec_output_equals_net_snmps_walk_converted_by_walk2snmprec(string device)
    {
        string address = CliPeers.V2cFleet[device].Address.ToString();
        string directory = Directory.CreateTempSubdirectory("osp-cli-").FullName;
        try
        {
            string file = Path.Combine(directory, device + ".snmprec");
            ProcessResult ours = await Onestoppi.RunAsync("walk", address, "--output", file);
            ProcessResult walk = await NetSnmp.RunAsync("snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Oe", address, ".1.3.6.1");
            string walkFile = Path.Combine(directory, "net-snmp.walk");
            await File.WriteAllTextAsync(walkFile, walk.StandardOutput, System.Text.Encoding.Latin1);
            ProcessResult converted = await ExternalProcess.RunAsync("/usr/bin/python3", [Path.Combine(RepoPaths.WalkTools, "walk2snmprec.py"), walkFile]);

            Assert.Multiple(() =>
            {
                Assert.That(ours.ExitCode, Is.Zero, ours.ToString());
                Assert.That(ours.StandardOutput, Is.Empty, "the records go to the file");
                Assert.That(File.ReadAllLines(file), Is.EqualTo(converted.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
                Assert.That(File.ReadAllLines(file), Has.Length.EqualTo(File.ReadLines(CliPeers.Recording(device)).Count()));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Other_file_names_get_the_text_output()
    {
        string address = CliPeers.V2cFleet["samsungprinter_m4080fx"].Address.ToString();
        string directory = Directory.CreateTempSubdirectory("osp-cli-").FullName;
        try
        {
            string file = Path.Combine(directory, "walk.txt");
            ProcessResult toFile = await Onestoppi.RunAsync("walk", address, "-o", file);
            ProcessResult toStdout = await Onestoppi.RunAsync("walk", address);
            string written = await File.ReadAllTextAsync(file);
            Assert.Multiple(() =>
            {
                Assert.That(toFile.ExitCode, Is.Zero, toFile.ToString());
                Assert.That(written, Is.EqualTo(toStdout.StandardOutput));
                Assert.That(toStdout.StandardOutput, Does.StartWith(".1.3.6.1.2.1.1.1.0 = STRING: "));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
