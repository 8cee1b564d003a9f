// Entry point: wiring only. The commands live in Cli/.
return await OneStopPi.Agent.Cli.CliApp.RunAsync(args).ConfigureAwait(false);
