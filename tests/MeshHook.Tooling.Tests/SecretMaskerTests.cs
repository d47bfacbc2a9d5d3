namespace MeshHook.Tooling.Tests;

public sealed class SecretMaskerTests
{
    [Fact]
    public void Registered_value_is_replaced_everywhere_it_occurs()
    {
        var masker = new SecretMasker();
        masker.Register("hunter2");

        Assert.Equal("a *** b *** c", masker.Apply("a hunter2 b hunter2 c"));
        Assert.Equal("***", masker.Apply("hunter2"));
        Assert.Equal("******", masker.Apply("hunter2hunter2"));
    }

    [Fact]
    public void Text_without_secrets_is_returned_unchanged()
    {
        var masker = new SecretMasker();
        masker.Register("hunter2");

        Assert.Equal("nothing to see here", masker.Apply("nothing to see here"));
        Assert.Equal("Hunter2", masker.Apply("Hunter2")); // ordinal, case-sensitive
    }

    [Fact]
    public void Apply_without_any_secret_returns_the_text()
    {
        Assert.Equal("plain text", new SecretMasker().Apply("plain text"));
    }

    [Fact]
    public void Apply_on_null_or_empty_returns_empty()
    {
        var masker = new SecretMasker();
        masker.Register("hunter2");

        Assert.Equal(string.Empty, masker.Apply(null));
        Assert.Equal(string.Empty, masker.Apply(string.Empty));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Longest_secret_is_replaced_first_so_a_secret_containing_another_is_masked_whole(bool shortFirst)
    {
        var masker = new SecretMasker();
        if (shortFirst)
        {
            masker.Register("pass");
            masker.Register("password123");
        }
        else
        {
            masker.Register("password123");
            masker.Register("pass");
        }

        // If "pass" were replaced first, "word123" would leak.
        Assert.Equal("token=*** and ***", masker.Apply("token=password123 and pass"));
        Assert.Equal(["password123", "pass"], masker.Secrets);
        // Writers hold back up to the longest masked form: the value or a longer encoding of it (base64 here).
        Assert.Equal(masker.MaskedForms.Max(x => x.Length), masker.LongestSecret);
        Assert.True(masker.LongestSecret >= 11);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("  ")]
    [InlineData(" a ")]
    [InlineData("ab\n")]
    public void Values_shorter_than_the_minimum_are_ignored(string? value)
    {
        var masker = new SecretMasker();
        var raised = new List<string>();
        masker.SecretRegistered += raised.Add;

        masker.Register(value);

        Assert.Empty(masker.Secrets);
        Assert.Empty(raised);
        Assert.Equal(0, masker.LongestSecret);
        Assert.Equal("a ab abc", masker.Apply("a ab abc"));
    }

    [Fact]
    public void Value_of_exactly_the_minimum_length_is_masked()
    {
        var masker = new SecretMasker();
        masker.Register("abc");

        Assert.Equal(3, SecretMasker.MinimumLength);
        Assert.Equal("a ab ***", masker.Apply("a ab abc"));
    }

    [Fact]
    public void Multi_line_secret_is_masked_whole_and_line_by_line()
    {
        var masker = new SecretMasker();
        masker.Register("-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----");

        Assert.Equal("***", masker.Apply("-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----"));
        // Line-oriented output never shows the whole value; each line alone must be masked.
        Assert.Equal("key: ***", masker.Apply("key: AAAABBBBCCCC"));
        Assert.Equal("***", masker.Apply("-----END KEY-----"));
        Assert.Contains("AAAABBBBCCCC", masker.Secrets);
    }

    [Fact]
    public void Multi_line_secret_with_crlf_lines_is_masked_per_line_without_the_carriage_return()
    {
        var masker = new SecretMasker();
        masker.Register("first-line\r\nsecond-line\r\n");

        Assert.Equal("*** and ***", masker.Apply("first-line and second-line"));
        Assert.DoesNotContain(masker.Secrets, x => x.EndsWith('\r'));
    }

    [Fact]
    public void Short_lines_of_a_multi_line_secret_are_not_registered()
    {
        var masker = new SecretMasker();
        masker.Register("longline\nab\n\nxyz");

        Assert.Contains("longline", masker.Secrets);
        Assert.Contains("xyz", masker.Secrets);
        Assert.DoesNotContain("ab", masker.Secrets);
        Assert.DoesNotContain(string.Empty, masker.Secrets);
        Assert.Equal("ab cab", masker.Apply("ab cab"));
    }

    [Fact]
    public void SecretRegistered_is_raised_once_per_new_value()
    {
        var masker = new SecretMasker();
        var raised = new List<string>();
        masker.SecretRegistered += raised.Add;

        masker.Register("hunter2");
        masker.Register("hunter2");
        masker.Register("correct-horse");
        masker.Register("hunter2");

        Assert.Equal(["hunter2", "correct-horse"], raised);
        Assert.Equal(2, masker.Secrets.Count);
    }

    [Fact]
    public void SecretRegistered_is_raised_for_the_whole_multi_line_value_and_each_new_line()
    {
        var masker = new SecretMasker();
        masker.Register("line-two");
        var raised = new List<string>();
        masker.SecretRegistered += raised.Add;

        masker.Register("line-one\nline-two");

        // "line-two" was already known: not raised again.
        Assert.Equal(["line-one\nline-two", "line-one"], raised);
    }

    [Fact]
    public void Concurrent_registration_of_the_same_value_raises_the_event_once()
    {
        var masker = new SecretMasker();
        var count = 0;
        masker.SecretRegistered += _ => Interlocked.Increment(ref count);

        Parallel.For(0, 64, i =>
        {
            masker.Register("shared-secret");
            masker.Register("secret-" + i);
        });

        Assert.Equal(65, count);
        Assert.Equal(65, masker.Secrets.Count);
        Assert.Equal("***", masker.Apply("shared-secret"));
    }

    [Theory]
    [InlineData("hunter2", "say hun", 3)]
    [InlineData("hunter2", "say hunter", 6)]
    [InlineData("hunter2", "say h", 1)]
    [InlineData("hunter2", "say help", 0)] // not "hello": its "o" may start hunter2's base64 (odW50ZXIy)
    [InlineData("hunter2", "", 0)]
    [InlineData("hunter2", "hunter2", 0)] // a whole secret is not a *proper* prefix
    [InlineData("abcabd", "xabcab", 5)]
    [InlineData("abcabd", "xab", 2)]
    public void PendingPrefixLength_is_the_longest_suffix_that_is_a_proper_prefix_of_a_secret(
        string secret, string text, int expected)
    {
        var masker = new SecretMasker();
        masker.Register(secret);

        Assert.Equal(expected, masker.PendingPrefixLength(text));
    }

    [Fact]
    public void PendingPrefixLength_considers_every_secret()
    {
        var masker = new SecretMasker();
        masker.Register("zzzzzzzzzzzz");
        masker.Register("abcd");

        Assert.Equal(3, masker.PendingPrefixLength("xx abc"));
        Assert.Equal(5, masker.PendingPrefixLength("xx zzzzz"));
        Assert.Equal(0, new SecretMasker().PendingPrefixLength("anything"));
    }
}
