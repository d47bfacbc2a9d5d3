using System.Collections;
using System.Linq.Expressions;

namespace MeshHook.Build.Engine;

/// <summary>A <c>Requires(...)</c> clause: a member that must have a value, or a condition that must hold.</summary>
internal sealed record Requirement(string Text, Func<bool> IsMet, bool IsMember)
{
    public static Requirement ForMember<T>(Expression<Func<T?>> expression) where T : class
    {
        var name = expression.Body is MemberExpression member ? member.Member.Name : expression.Body.ToString();
        var getter = expression.Compile();
        return new Requirement(name, () => HasValue(getter()), IsMember: true);
    }

    public static Requirement ForCondition(Expression<Func<bool>> expression)
    {
        var getter = expression.Compile();
        return new Requirement(Describe(expression.Body), getter, IsMember: false);
    }

    public string Failure(string target) =>
        IsMember
            ? $"Target '{target}' requires '{Text}' to be set (it is null or empty)."
            : $"Target '{target}' requires: {Text}.";

    static bool HasValue(object? value) => value switch
    {
        null => false,
        string text => !string.IsNullOrWhiteSpace(text),
        ICollection collection => collection.Count > 0,
        _ => true,
    };

    // Expression text of captured members reads "value(Build).Name": show just "Name".
    static string Describe(Expression body) =>
        System.Text.RegularExpressions.Regex.Replace(body.ToString(), @"value\([^)]*\)\.", string.Empty);
}
