// Entry point: wiring only. The commands live in Cli/, the web application in Hosting/.
return await OneStopPi.Portal.Cli.PortalCli.RunAsync(args).ConfigureAwait(false);
