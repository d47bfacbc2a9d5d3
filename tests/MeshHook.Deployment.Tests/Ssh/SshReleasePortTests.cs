using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// Release ports on ssh hosts: target.releasePorts, and the sharing out of probed ports among hosts of one machine
/// (<see cref="SshHostState.Assign"/>). The real-sshd proof is in <see cref="SshDeployTests"/>.
/// </summary>
public sealed class SshReleasePortTests
{
    static readonly PortRange Range = new(41000, 41999);

    static SshHostState Host(int number, string? loopback, params int[] free) =>
        new(new SshHost($"127.0.0.{number}", 22, "deploy", [SshRole.Web, SshRole.Workers]), null, [], [], free) { Loopback = loopback };

    [Fact]
    public void Hosts_sharing_a_loopback_interface_never_get_the_same_port()
    {
        // Probed together, all three saw the same free ports, in different orders.
        var states = new[]
        {
            Host(2, "boot-1/net:[4026531840]", 41005, 41001, 41002, 41003, 41004, 41000),
            Host(3, "boot-1/net:[4026531840]", 41001, 41005, 41000, 41004, 41002, 41003),
            Host(4, "boot-1/net:[4026531840]", 41005, 41001, 41002, 41000, 41003, 41004),
        };

        var assigned = SshHostState.Assign(states, 2, Range);

        Assert.Equal([41005, 41001], assigned[0].FreePorts);
        Assert.Equal([41000, 41004], assigned[1].FreePorts);
        Assert.Equal([41002, 41003], assigned[2].FreePorts);
        Assert.Equal(assigned.Select(x => x.Host), states.Select(x => x.Host));
    }

    [Fact]
    public void Hosts_on_machines_of_their_own_keep_their_first_ports_even_when_the_numbers_match()
    {
        var states = new[]
        {
            Host(2, "boot-1/net:[4026531840]", 41005, 41001, 41002),
            Host(3, "boot-2/net:[4026531840]", 41005, 41001, 41002), // another kernel: the same numbers are other ports
            Host(4, null, 41005, 41001), // cannot tell (not Linux): treated as a machine of its own
        };

        var assigned = SshHostState.Assign(states, 2, Range);

        Assert.All(assigned, x => Assert.Equal([41005, 41001], x.FreePorts));
    }

    [Fact]
    public void Too_few_ports_on_a_host_of_its_own_is_a_clear_error_naming_it()
    {
        var states = new[] { Host(2, null, 41000), Host(3, "boot-1/net:[1]", 41000, 41001) };

        var error = Assert.Throws<UserFacingException>(() => SshHostState.Assign(states, 2, new PortRange(41000, 41001)));

        Assert.StartsWith("deploy@127.0.0.2:22 has fewer than 2 free ports in target.releasePorts [41000, 41001] on 127.0.0.1", error.Message);
    }

    [Fact]
    public void Too_few_ports_for_the_hosts_of_one_machine_is_a_clear_error_naming_them_and_the_setting()
    {
        var states = new[]
        {
            Host(2, "boot-1/net:[1]", 41000, 41001, 41002),
            Host(3, "boot-1/net:[1]", 41000, 41001, 41002),
        };

        var error = Assert.Throws<UserFacingException>(() => SshHostState.Assign(states, 2, new PortRange(41000, 41002)));

        Assert.Contains("deploy@127.0.0.2:22, deploy@127.0.0.3:22 (one machine) have fewer than 4 free ports in target.releasePorts [41000, 41002]", error.Message);
        Assert.Contains("widen target.releasePorts", error.Message);
    }

    [Fact]
    public void Release_ports_default_to_41000_41999_and_may_be_set_and_the_schema_agrees()
    {
        Assert.Equal(new PortRange(41000, 41999), Samples.Parse(SshTargetOptionsTests.Sample, EnvironmentName.Staging).Target.Ssh!.ReleasePorts);

        var json = Samples.Change(SshTargetOptionsTests.Sample, x => x["target"]!["releasePorts"] = new System.Text.Json.Nodes.JsonArray(42000, 42099));

        Assert.Equal(new PortRange(42000, 42099), Samples.Parse(json, EnvironmentName.Staging).Target.Ssh!.ReleasePorts);
        Assert.Empty(SshTargetOptionsTests.SchemaProblems(json));
    }

    [Fact]
    public void An_edge_port_inside_the_default_range_is_refused_naming_the_default()
    {
        var json = Samples.Change(SshTargetOptionsTests.Sample, x => x["target"]!["edgePort"] = 41500);

        var error = Samples.Problems(json, EnvironmentName.Staging);

        Assert.Contains(error.Errors, x => x.EndsWith("target.edgePort: 41500 is inside target.releasePorts [41000, 41999] (the default); " +
                                                      "the edge port must be outside the releases' ports.", StringComparison.Ordinal));
    }
}
