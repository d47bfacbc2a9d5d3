using MeshHook.Deployment.Infrastructure;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>Plan summaries from fixtures in Terraform's JSON plan format (terraform show -json PLANFILE).</summary>
public sealed class TerraformPlanSummaryTests
{
    static TerraformPlanSummary Fixture(string name) => TerraformPlanSummary.Parse(File.ReadAllText(RepositoryFiles.PlanFixture(name)));

    [Fact]
    public void Counts_creates_updates_replaces_and_deletes()
    {
        var plan = Fixture("mixed-changes.json");

        Assert.Equal(2, plan.Creates);
        Assert.Equal(2, plan.Updates);
        Assert.Equal(2, plan.Replaces);
        Assert.Equal(1, plan.Deletes);
        Assert.Equal(1, plan.Reads);
        Assert.True(plan.HasChanges);
        Assert.Equal("2 to create, 2 to update, 2 to replace, 1 to delete", plan.CountsText());
        Assert.Equal("staging", plan.Variables["environment"]);
        Assert.Equal("3f9c2a7b1d4e", plan.Variables["image_tag"]);
        Assert.Equal("1.11.4", plan.TerraformVersion);
    }

    [Fact]
    public void Tells_the_two_orders_of_replace_apart()
    {
        var plan = Fixture("mixed-changes.json");

        var destroyFirst = Assert.Single(plan.Resources, x => x.Action == PlannedAction.ReplaceDestroyFirst);
        Assert.Equal("module.deploy_identity.azurerm_federated_identity_credential.this[\"github-staging\"]", destroyFirst.Address);
        var createFirst = Assert.Single(plan.Resources, x => x.Action == PlannedAction.ReplaceCreateFirst);
        Assert.Equal("azurerm_role_assignment.deploy_grants", createFirst.Address);
        Assert.True(destroyFirst.Destroys && createFirst.Destroys);
        Assert.Equal("replace (destroy, then create)", destroyFirst.ActionText);
        Assert.Equal("replace (create, then destroy)", createFirst.ActionText);
    }

    [Fact]
    public void Lists_the_changes_in_action_order_without_no_ops_and_reads()
    {
        var plan = Fixture("mixed-changes.json");

        Assert.Equal(
        [
            "create azurerm_role_assignment.officers_secrets_write[0]",
            "create module.github_environment[0].github_actions_environment_variable.this[\"MESHHOOK_STATE_URL\"]",
            "update module.web.azurerm_container_app.this",
            "update module.workers.azurerm_container_app.this",
            "replace (create, then destroy) azurerm_role_assignment.deploy_grants",
            "replace (destroy, then create) module.deploy_identity.azurerm_federated_identity_credential.this[\"github-staging\"]",
            "delete module.github_environment[0].github_actions_environment_variable.this[\"MESHHOOK_OLD_URL\"]",
        ], plan.Changes.Select(x => $"{x.ActionText} {x.Address}"));
    }

    [Fact]
    public void A_plan_of_no_ops_changes_nothing()
    {
        var plan = Fixture("no-changes.json");

        Assert.False(plan.HasChanges);
        Assert.Empty(plan.Changes);
        Assert.Equal("no changes", plan.CountsText());
        Assert.Contains("already matches the configuration", plan.ToTable("staging", "3f9c2a7b1d4e"));
        Assert.Contains("No changes", plan.ToMarkdown("staging", "3f9c2a7b1d4e"));
    }

    [Fact]
    public void A_plan_that_only_reads_data_sources_changes_nothing()
    {
        var plan = Fixture("read-only.json");

        Assert.False(plan.HasChanges);
        Assert.Equal(1, plan.Reads);
        Assert.Equal(0, plan.Creates + plan.Updates + plan.Replaces + plan.Deletes);
    }

    [Fact]
    public void The_table_shows_each_change_with_its_action_address_and_type()
    {
        var table = Fixture("mixed-changes.json").ToTable("staging", "3f9c2a7b1d4e");
        var lines = table.Split(Environment.NewLine);

        Assert.Equal("Terraform plan for staging (image tag 3f9c2a7b1d4e): 2 to create, 2 to update, 2 to replace, 1 to delete.", lines[0]);
        Assert.StartsWith("ACTION", lines[1]);
        Assert.Contains(lines, x => x.StartsWith("update ", StringComparison.Ordinal) && x.Contains("module.web.azurerm_container_app.this") &&
                                    x.TrimEnd().EndsWith("azurerm_container_app", StringComparison.Ordinal));
        Assert.Contains(lines, x => x.StartsWith("replace (destroy, then create)", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, x => x.Contains("azurerm_key_vault.this"));
        // The columns line up: every row puts the address at the same position.
        var rows = lines.Where(x => x.StartsWith("create ", StringComparison.Ordinal) || x.StartsWith("update ", StringComparison.Ordinal)).ToList();
        Assert.Single(rows.Select(x => x.IndexOf("module.", StringComparison.Ordinal) is var i && i >= 0 ? i : x.IndexOf("azurerm_", StringComparison.Ordinal)).Distinct());
    }

    [Fact]
    public void The_markdown_has_the_counts_and_one_row_per_change()
    {
        var markdown = Fixture("mixed-changes.json").ToMarkdown("staging", "3f9c2a7b1d4e");

        Assert.StartsWith("### Terraform plan: staging", markdown);
        Assert.Contains("| 2 | 2 | 2 | 1 |", markdown);
        Assert.Contains("| update | `module.web.azurerm_container_app.this` | `azurerm_container_app` |", markdown);
        Assert.Equal(7, markdown.Split('\n').Count(x => x.StartsWith("| ", StringComparison.Ordinal) && x.Contains('`')));
    }

    [Fact]
    public void A_plan_without_resource_changes_is_empty()
    {
        var plan = TerraformPlanSummary.Parse("""{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{}}""");
        Assert.Empty(plan.Resources);
        Assert.False(plan.HasChanges);
    }

    [Theory]
    [InlineData("not json", "did not print a JSON plan")]
    [InlineData("""{"format_version":"2.0","resource_changes":[]}""", "format_version '2.0'")]
    [InlineData("""{"resource_changes":[]}""", "format_version '(none)'")]
    [InlineData("""{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update","delete"]}}]}""", "[update, delete] for a.b")]
    [InlineData("""{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{}}]}""", "a.b has no actions")]
    public void Refuses_what_it_cannot_read(string json, string message)
    {
        var failure = Assert.Throws<InfrastructureException>(() => TerraformPlanSummary.Parse(json));
        Assert.Contains(message, failure.Message);
    }
}
