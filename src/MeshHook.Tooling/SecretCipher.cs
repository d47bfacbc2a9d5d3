using System.Security.Cryptography;
using System.Text;

namespace MeshHook.Tooling;

/// <summary>
/// Encrypts secret values stored in files (secret build parameters, environment secret stores): AES-256-GCM
/// (authenticated), a random salt and nonce per value, the key derived with PBKDF2-SHA256 from a password kept outside the
/// repository. A context (e.g. the parameter's name) is bound in as associated data, so a value copied to another name
/// does not decrypt. A wrong key is detected, never garbage.
/// </summary>
public static class SecretCipher
{
    public const string Prefix = "aesgcm:v1:";
    const int SaltSize = 16, NonceSize = 12, TagSize = 16, KeySize = 32, Iterations = 100_000;

    public static bool IsEncrypted(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Encrypt(string plaintext, string password, string context)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[data.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(DeriveKey(password, salt), TagSize))
            aes.Encrypt(nonce, data, cipher, tag, Encoding.UTF8.GetBytes(context));
        return Prefix + Convert.ToBase64String([.. salt, .. nonce, .. tag, .. cipher]);
    }

    /// <exception cref="CryptographicException">The key is not the one the value was encrypted with, or the value was altered.</exception>
    /// <exception cref="FormatException">The value is not in this format.</exception>
    public static string Decrypt(string value, string password, string context)
    {
        if (!IsEncrypted(value))
            throw new FormatException($"The value does not start with '{Prefix}'.");
        var bytes = Convert.FromBase64String(value[Prefix.Length..]);
        if (bytes.Length < SaltSize + NonceSize + TagSize)
            throw new FormatException("The encrypted value is truncated.");
        var salt = bytes.AsSpan(0, SaltSize);
        var nonce = bytes.AsSpan(SaltSize, NonceSize);
        var tag = bytes.AsSpan(SaltSize + NonceSize, TagSize);
        var cipher = bytes.AsSpan(SaltSize + NonceSize + TagSize);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(DeriveKey(password, salt.ToArray()), TagSize);
        aes.Decrypt(nonce, cipher, tag, plain, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plain);
    }

    static byte[] DeriveKey(string password, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, KeySize);
}
