using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Notifications.Email;
using MeshHook.Deployment.Notifications.GitHub;
using MeshHook.Deployment.Notifications.Slack;
using MeshHook.Deployment.Notifications.Webhook;
using MeshHook.Deployment.Secrets;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications;

/// <summary>
/// The channels of an environment: its <c>notifications</c> section (secret references resolved through its secret
/// provider), plus those switched on for one run by environment variables (<see cref="Variables"/>). Every resolved
/// secret (webhook URLs, tokens, SMTP passwords, signing secrets) is registered with the masker before anything is sent.
/// A setting that is missing or malformed is an error naming the file, the channel and the key, before any deploy starts.
/// </summary>
public static class NotificationChannels
{
    /// <summary>The variables that switch a channel on for one run.</summary>
    public static readonly IReadOnlyList<string> Variables =
        ["SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "GITHUB_REPOSITORY", "SMTP_URL", "NOTIFY_EMAIL_TO", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SECRET"];

    public static async Task<IReadOnlyList<INotifier>> CreateAsync(EnvironmentConfiguration environment, ISecretProvider? secrets,
        IReadOnlyDictionary<string, string> variables, HttpClient http, SecretMasker masker, TimeProvider time, DeliveryPolicy policy,
        CancellationToken cancellationToken, Action<string>? skipped = null)
    {
        foreach (var name in new[] { "SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "SMTP_URL", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SECRET" })
            masker.Register(variables.GetValueOrDefault(name));

        var notifiers = new List<INotifier>();
        for (var i = 0; i < environment.Notifications.Count; i++)
        {
            // The settings were checked when environment.json was read; what is left to check is a resolved secret's value.
            var channel = environment.Notifications[i];
            var where = $"{environment.File}: notifications[{i}].settings";
            var notifier = channel.Settings switch
            {
                SlackSettings slackSettings => new SlackNotifier(new SlackOptions(Url(await Secret(slackSettings.WebhookUrl, $"{where}.webhookUrl"), $"{where}.webhookUrl"),
                    slackSettings.Channel), http, masker, time),
                WebhookSettings webhookSettings => new WebhookNotifier(new WebhookOptions(webhookSettings.Url, await Secret(webhookSettings.SigningSecret, $"{where}.signingSecret")),
                    http, masker, time),
                EmailSettings email => new EmailNotifier(EmailOptions.Parse(
                    email.SmtpUrl.Secret is { } smtpSecret ? await Secret(smtpSecret, $"{where}.smtpUrl") : email.SmtpUrl.Text!, email.To, email.From, where), masker),
                GitHubSettings github => await GitHubFromSettingsAsync(github, where),
                _ => throw new UserFacingException($"{where}: unknown channel kind."),
            };
            if (notifier is not null)
                notifiers.Add(notifier);
        }

        // One run's channels, from the environment; a kind already configured is not added twice.
        if (variables.GetValueOrDefault("SLACK_WEBHOOK_URL") is { Length: > 0 } slack && !notifiers.OfType<SlackNotifier>().Any())
            notifiers.Add(new SlackNotifier(new SlackOptions(Url(slack, "SLACK_WEBHOOK_URL")), http, masker, time));
        if (variables.GetValueOrDefault("GITHUB_TOKEN") is { Length: > 0 } token && variables.GetValueOrDefault("GITHUB_REPOSITORY") is { Length: > 0 } repository &&
            !notifiers.OfType<GitHubNotifier>().Any())
            notifiers.Add(GitHub(repository, token, null, "GITHUB_REPOSITORY"));
        if (variables.GetValueOrDefault("SMTP_URL") is { Length: > 0 } smtp && !notifiers.OfType<EmailNotifier>().Any())
            notifiers.Add(new EmailNotifier(EmailOptions.Parse(smtp, variables.GetValueOrDefault("NOTIFY_EMAIL_TO")
                ?? throw new UserFacingException("SMTP_URL is set but NOTIFY_EMAIL_TO is not: set it to the addresses to mail (comma-separated)."),
                variables.GetValueOrDefault("NOTIFY_EMAIL_FROM"), "SMTP_URL"), masker));
        if (variables.GetValueOrDefault("NOTIFY_WEBHOOK_URL") is { Length: > 0 } hook && !notifiers.OfType<WebhookNotifier>().Any())
            notifiers.Add(new WebhookNotifier(new WebhookOptions(Url(hook, "NOTIFY_WEBHOOK_URL"), variables.GetValueOrDefault("NOTIFY_WEBHOOK_SECRET")
                ?? throw new UserFacingException("NOTIFY_WEBHOOK_URL is set but NOTIFY_WEBHOOK_SECRET is not: a webhook is always signed; set the shared secret.")),
                http, masker, time));
        return notifiers;

        async Task<string> Secret(SecretReference secret, string where)
        {
            if (secrets is null)
                throw new UserFacingException($"{where} is the secret {secret.Name}, and no secret provider is available.");
            var resolved = await secrets.GetAsync(secret.Name, cancellationToken);
            masker.Register(resolved);
            return resolved;
        }

        // GitHub's settings may all come from GitHub Actions (GITHUB_REPOSITORY, GITHUB_TOKEN). Outside Actions, without
        // them, the channel is left out with a warning: a deploy or dry run from a laptop is not a failure to announce.
        async Task<INotifier?> GitHubFromSettingsAsync(GitHubSettings github, string where)
        {
            var repository = github.Repository ?? variables.GetValueOrDefault("GITHUB_REPOSITORY");
            var token = github.Token is { } tokenSecret ? await Secret(tokenSecret, $"{where}.token") : variables.GetValueOrDefault("GITHUB_TOKEN");
            if (repository is { Length: > 0 } && token is { Length: > 0 })
                return GitHub(repository, token, github.ApiUrl, where);
            skipped?.Invoke($"GitHub Deployments are not announced from here: {where} " +
                            (repository is not { Length: > 0 } ? "has no repository and GITHUB_REPOSITORY is not set" : "has no token and GITHUB_TOKEN is not set") +
                            " (GitHub Actions sets both; elsewhere set them, or the channel's repository and token).");
            return null;
        }

        GitHubNotifier GitHub(string repository, string token, Uri? apiUrl, string where)
        {
            var (owner, name) = GitHubSettings.ParseRepository(repository)
                ?? throw new UserFacingException($"{where}: '{repository}' is not owner/name.");
            masker.Register(token);
            var api = apiUrl is not null ? apiUrl
                : variables.GetValueOrDefault("GITHUB_API_URL") is { Length: > 0 } fromActions ? Url(fromActions, "GITHUB_API_URL") : GitHubOptions.DefaultApiUrl;
            return new GitHubNotifier(new GitHubOptions(owner, name, token, api)
            {
                InActionsJob = variables.GetValueOrDefault("GITHUB_ACTIONS") == "true",
                ExistingDeploymentId = long.TryParse(variables.GetValueOrDefault("GITHUB_DEPLOYMENT_ID"), out var id) ? id : null,
            }, masker, policy.Timeout);
        }
    }

    static Uri Url(string text, string where) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UserFacingException($"{where}: not an http(s) URL.");
}
