using System.Xml.Linq;

namespace MeshHook.Build.Engine.Tools;

/// <summary>Counts read from TRX reports (the test runners do not print one total of their own).</summary>
public sealed record TestResults(int Passed, int Failed, int Skipped, IReadOnlyList<string> FailedTests)
{
    public int Total => Passed + Failed + Skipped;

    public static TestResults Empty { get; } = new(0, 0, 0, []);

    public static TestResults operator +(TestResults a, TestResults b) =>
        new(a.Passed + b.Passed, a.Failed + b.Failed, a.Skipped + b.Skipped, [.. a.FailedTests, .. b.FailedTests]);

    public static TestResults ReadTrx(string file)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var document = XDocument.Load(file);
        var results = document.Descendants(ns + "UnitTestResult").ToList();
        var failed = results.Where(x => (string?)x.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted").ToList();
        var passed = results.Count(x => (string?)x.Attribute("outcome") == "Passed");
        return new TestResults(passed, failed.Count, results.Count - passed - failed.Count,
            failed.Select(x => (string?)x.Attribute("testName") ?? "?").ToList());
    }

    /// <summary>A JUnit XML report (node:test's junit reporter): a testcase per test, with failure or skipped children.</summary>
    public static TestResults ReadJUnit(string file)
    {
        var cases = XDocument.Load(file).Descendants("testcase").ToList();
        var failed = cases.Where(x => x.Element("failure") is not null || x.Element("error") is not null).ToList();
        var skipped = cases.Count(x => x.Element("skipped") is not null);
        return new TestResults(cases.Count - failed.Count - skipped, failed.Count, skipped,
            failed.Select(x => $"{(string?)x.Attribute("classname")} › {(string?)x.Attribute("name")}").ToList());
    }

    public static TestResults ReadDirectory(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.trx", SearchOption.AllDirectories).Select(ReadTrx)
                .Concat(Directory.GetFiles(directory, "*.junit.xml", SearchOption.AllDirectories).Select(ReadJUnit))
                .Aggregate(Empty, (a, b) => a + b)
            : Empty;

    /// <summary>The plain closing line CI reads: "N passed, N failed, N skipped".</summary>
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}
