using System.Text;

namespace MeshHook.Tooling;

/// <summary>
/// A writer that masks secrets even when a value arrives split across several writes: text is passed on when a line
/// completes, and at <see cref="Flush"/> everything is passed on except a tail that could still become a secret.
/// </summary>
public sealed class MaskingTextWriter(TextWriter inner, SecretMasker masker) : TextWriter
{
    readonly StringBuilder _pending = new();
    readonly object _gate = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            if (value == '\n')
                Emit(_pending.Length);
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        lock (_gate)
        {
            _pending.Append(value);
            var lastNewLine = LastIndexOf(_pending, '\n');
            if (lastNewLine >= 0)
                Emit(lastNewLine + 1);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => Write((value ?? string.Empty) + "\n");

    /// <summary>Passes on what cannot be the start of a secret; the rest waits for more text or <see cref="Complete"/>.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            if (_pending.Length > 0)
            {
                var text = masker.Apply(_pending.ToString());
                var hold = masker.PendingPrefixLength(text);
                inner.Write(text[..^hold]);
                _pending.Clear().Append(text[^hold..]);
            }
            inner.Flush();
        }
    }

    /// <summary>Writes everything still held back (end of output: a partial prefix is no longer a secret).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            Emit(_pending.Length);
            inner.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Complete();
        base.Dispose(disposing);
    }

    void Emit(int length)
    {
        var text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        inner.Write(masker.Apply(text));
    }

    static int LastIndexOf(StringBuilder builder, char value)
    {
        for (var i = builder.Length - 1; i >= 0; i--)
        {
            if (builder[i] == value)
                return i;
        }
        return -1;
    }
}
