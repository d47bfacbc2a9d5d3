using System.Text;

namespace MeshHook.Tooling.Tests;

public sealed class MaskingTextWriterTests
{
    /// <summary>An inner writer that records every chunk it receives and how often it was flushed.</summary>
    sealed class RecordingWriter : TextWriter
    {
        readonly StringBuilder _text = new();
        readonly List<string> _chunks = [];

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                    return _text.ToString();
            }
        }

        public IReadOnlyList<string> Chunks
        {
            get
            {
                lock (_text)
                    return _chunks.ToArray();
            }
        }

        public int Flushes { get; private set; }

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value))
                return;
            lock (_text)
            {
                _text.Append(value);
                _chunks.Add(value);
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Flush() => Flushes++;
    }

    readonly SecretMasker _masker = new();
    readonly RecordingWriter _inner = new();
    readonly MaskingTextWriter _writer;

    public MaskingTextWriterTests()
    {
        _masker.Register("hunter2");
        _writer = new MaskingTextWriter(_inner, _masker);
    }

    [Fact]
    public void Whole_line_with_a_secret_is_masked()
    {
        _writer.Write("password: hunter2\n");

        Assert.Equal("password: ***\n", _inner.Text);
    }

    [Fact]
    public void Secret_split_across_two_writes_is_masked()
    {
        _writer.Write("password: hun");
        Assert.Equal(string.Empty, _inner.Text);
        _writer.Write("ter2 ok\n");

        Assert.Equal("password: *** ok\n", _inner.Text);
    }

    [Fact]
    public void Secret_split_across_three_writes_is_masked()
    {
        _writer.Write("a hu");
        _writer.Write("nte");
        _writer.Write("r2 b\n");

        Assert.Equal("a *** b\n", _inner.Text);
    }

    [Fact]
    public void Secret_written_character_by_character_is_masked()
    {
        foreach (var c in "x hunter2 y\n")
            _writer.Write(c);

        Assert.Equal("x *** y\n", _inner.Text);
    }

    [Fact]
    public void Secret_written_through_char_array_and_span_overloads_is_masked()
    {
        _writer.Write("ab hunter2 cd".ToCharArray(), 3, 4);
        _writer.Write("er2!".AsSpan());
        _writer.WriteLine();

        Assert.Equal("***!\n", _inner.Text);
    }

    [Fact]
    public void WriteLine_completes_a_line_split_across_writes()
    {
        _writer.Write("token=hunt");
        _writer.WriteLine("er2");

        Assert.Equal("token=***\n", _inner.Text);
    }

    [Fact]
    public void Secret_split_across_a_flush_is_still_masked_and_never_reaches_the_inner_writer_unmasked()
    {
        _writer.Write("hun");
        _writer.Flush();

        // "hun" could be the start of the secret: nothing may be passed on yet.
        Assert.Equal(string.Empty, _inner.Text);
        Assert.Equal(1, _inner.Flushes);

        _writer.Write("ter2\n");

        Assert.Equal("***\n", _inner.Text);
        Assert.All(_inner.Chunks, chunk => Assert.DoesNotContain("hun", chunk, StringComparison.Ordinal));
    }

    [Fact]
    public void Flush_passes_on_everything_except_the_tail_that_could_start_a_secret()
    {
        _writer.Write("first line\nsecond hunter2 and hunt");
        Assert.Equal("first line\n", _inner.Text);

        _writer.Flush();
        Assert.Equal("first line\nsecond *** and ", _inner.Text);

        _writer.Write("er2 done\n");
        Assert.Equal("first line\nsecond *** and *** done\n", _inner.Text);
        Assert.DoesNotContain("hunter2", string.Concat(_inner.Chunks), StringComparison.Ordinal);
    }

    [Fact]
    public void Flush_passes_on_a_tail_that_cannot_start_a_secret()
    {
        _writer.Write("progress: 50%");
        _writer.Flush();

        Assert.Equal("progress: 50%", _inner.Text);
    }

    [Fact]
    public void Flush_passes_on_a_complete_secret_masked()
    {
        _writer.Write("key hunter2");
        _writer.Flush();

        Assert.Equal("key ***", _inner.Text);
    }

    [Fact]
    public void Repeated_flushes_keep_holding_a_growing_prefix()
    {
        _writer.Write("h");
        _writer.Flush();
        _writer.Write("unt");
        _writer.Flush();
        _writer.Write("er");
        _writer.Flush();
        Assert.Equal(string.Empty, _inner.Text);

        _writer.Write("2");
        _writer.Flush();
        Assert.Equal("***", _inner.Text);
    }

    [Fact]
    public void Held_back_prefix_that_does_not_continue_as_a_secret_is_passed_on_with_the_line()
    {
        _writer.Write("I am hun");
        _writer.Flush();
        _writer.Write("gry\n");

        Assert.Equal("I am hungry\n", _inner.Text);
    }

    [Fact]
    public void Complete_emits_a_held_back_prefix_that_turned_out_not_to_be_a_secret()
    {
        _writer.Write("ends with hunte");
        _writer.Flush();
        Assert.Equal("ends with ", _inner.Text);

        _writer.Complete();

        Assert.Equal("ends with hunte", _inner.Text);
    }

    [Fact]
    public void Complete_masks_what_it_emits()
    {
        _writer.Write("no newline hunter2");

        _writer.Complete();

        Assert.Equal("no newline ***", _inner.Text);
        Assert.True(_inner.Flushes >= 1);
    }

    [Fact]
    public void Dispose_emits_everything_still_held_back()
    {
        _writer.Write("tail hunt");
        _writer.Flush();

        _writer.Dispose();

        Assert.Equal("tail hunt", _inner.Text);
    }

    [Fact]
    public void Text_without_secrets_passes_through_in_order()
    {
        var expected = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            var piece = i % 7 == 0 ? $"line {i}\n" : $"piece {i} ";
            expected.Append(piece);
            _writer.Write(piece);
            if (i % 13 == 0)
                _writer.Flush();
        }
        _writer.Complete();

        Assert.Equal(expected.ToString(), _inner.Text);
    }

    [Fact]
    public void Lines_are_passed_on_as_soon_as_they_complete()
    {
        _writer.Write("one\ntwo\nthr");

        Assert.Equal("one\ntwo\n", _inner.Text);

        _writer.Write("ee\n");
        Assert.Equal("one\ntwo\nthree\n", _inner.Text);
    }

    [Fact]
    public void Null_and_empty_writes_do_nothing()
    {
        _writer.Write((string?)null);
        _writer.Write(string.Empty);
        _writer.Flush();

        Assert.Equal(string.Empty, _inner.Text);
    }

    [Fact]
    public void Secret_registered_while_text_is_pending_is_masked()
    {
        var masker = new SecretMasker();
        var inner = new RecordingWriter();
        var writer = new MaskingTextWriter(inner, masker);

        writer.Write("late s3cr3t-value");
        masker.Register("s3cr3t-value");
        writer.Write("\n");

        Assert.Equal("late ***\n", inner.Text);
    }

    [Fact]
    public void Multi_line_secret_written_in_pieces_is_masked_line_by_line()
    {
        var masker = new SecretMasker();
        masker.Register("line-one-secret\nline-two-secret");
        var inner = new RecordingWriter();
        var writer = new MaskingTextWriter(inner, masker);

        writer.Write("key:\nline-one");
        writer.Flush();
        writer.Write("-secret\nline-t");
        writer.Flush();
        writer.Write("wo-secret\n");

        Assert.Equal("key:\n***\n***\n", inner.Text);
        Assert.DoesNotContain("-secret", string.Concat(inner.Chunks), StringComparison.Ordinal);
    }

    [Fact]
    public void Encoding_is_the_inner_writers()
    {
        Assert.Same(_inner.Encoding, _writer.Encoding);
    }

    [Fact]
    public async Task Concurrent_writes_from_several_threads_never_split_lines()
    {
        const int threads = 8;
        const int linesPerThread = 500;
        var start = new Barrier(threads);

        var tasks = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            for (var i = 0; i < linesPerThread; i++)
            {
                switch (i % 3)
                {
                    case 0:
                        _writer.WriteLine($"thread {t} line {i} secret hunter2 end");
                        break;
                    case 1:
                        _writer.Write($"thread {t} line {i} plain end\n");
                        break;
                    default:
                        _writer.Write($"thread {t} line {i} hunter2 end\n".ToCharArray());
                        break;
                }
                if (i % 50 == 0)
                    _writer.Flush();
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(tasks);
        _writer.Complete();

        var text = _inner.Text;
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        var lines = text[..^1].Split('\n');
        Assert.Equal(threads * linesPerThread, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^thread \d+ line \d+ (secret \*\*\* |plain |\*\*\* )end$", line));
        Assert.Equal(threads * linesPerThread, lines.Distinct().Count());

        // Each thread's lines arrive in the order that thread wrote them.
        foreach (var t in Enumerable.Range(0, threads))
        {
            var numbers = lines.Where(x => x.StartsWith($"thread {t} ", StringComparison.Ordinal))
                .Select(x => int.Parse(x.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(Enumerable.Range(0, linesPerThread), numbers);
        }
    }
}
