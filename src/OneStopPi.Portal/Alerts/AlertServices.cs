using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OneStopPi.Portal.Alerts;

/// <summary>Wires the alert rules, their evaluation, delivery and background loop into the portal.</summary>
internal static class AlertServices
{
    public static IServiceCollection AddPortalAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AlertOptions.Section);
        services.Configure<AlertOptions>(section);
        services.AddSingleton<AlertSignal>();
        services.AddSingleton<AlertSecrets>();
        services.AddSingleton(sp => new AlertEvaluator(sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<AlertSnapshotReader>();
        services.AddScoped<AlertCycle>();
        services.AddScoped<AlertDeliverer>();
        services.AddSingleton<IAlertRound, ScopedAlertRound>();
        services.AddSingleton<MailSender>();
        services.TryAddSingleton(sp => new WebhookSender(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }),
            sp.GetRequiredService<IOptions<AlertOptions>>(), sp.GetRequiredService<TimeProvider>()));
        if (section.GetValue(nameof(AlertOptions.Enabled), true))
        {
            services.AddHostedService<AlertService>();
        }

        return services;
    }
}
