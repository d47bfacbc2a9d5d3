using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments.Reading;

/// <summary>The names enum values have in environment.json: <see cref="JsonStringEnumMemberNameAttribute"/>, else camelCase.</summary>
internal static class JsonEnum
{
    public static string Name<T>(T value) where T : struct, Enum
    {
        var field = typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)!;
        return field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(field.Name);
    }

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Name).ToList();

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Name(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
