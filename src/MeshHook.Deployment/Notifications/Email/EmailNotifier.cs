using MailKit.Net.Smtp;
using MailKit.Security;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications.Email;

/// <summary>Sends each announcement by SMTP (MailKit): TLS from the start for smtps, else STARTTLS whenever offered.</summary>
public sealed class EmailNotifier(EmailOptions options, SecretMasker masker) : INotifier
{
    public string Name => "email";

    public string Preview(Announcement announcement)
    {
        using var stream = new MemoryStream();
        EmailMessage.Build(announcement, options, masker.Apply).WriteTo(stream);
        return masker.Apply(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public async Task SendAsync(Announcement announcement, CancellationToken cancellationToken)
    {
        var message = EmailMessage.Build(announcement, options, masker.Apply);
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(options.Host, options.Port, options.TlsOnConnect ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
            if (options.User is not null)
                await client.AuthenticateAsync(options.User, options.Password ?? string.Empty, cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        catch (AuthenticationException exception)
        {
            throw new NotificationRejectedException($"email: the SMTP server refused the credentials ({masker.Apply(exception.Message)})");
        }
        catch (SmtpCommandException exception) when ((int)exception.StatusCode is >= 500 and < 600)
        {
            throw new NotificationRejectedException($"email: the SMTP server refused the message ({(int)exception.StatusCode} {masker.Apply(exception.Message)})");
        }
    }
}
