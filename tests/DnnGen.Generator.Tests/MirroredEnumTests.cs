using System.Collections.Generic;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The generator cannot reference the runtime library, so it keeps its own copies of the runtime's option enums and
/// reads attribute values as their numbers. These tests tie each copy to the runtime's enum by reflection: the same
/// names with the same values, in both directions, so a member added on one side alone fails here.
/// </summary>
public class MirroredEnumTests
{
    [Fact]
    public void The_generators_Initialization_mirrors_the_runtimes()
        => Members(typeof(DnnGen.Generator.Initialization)).ShouldBe(Members(typeof(global::DnnGen.Initialization)));

    [Fact]
    public void The_generators_Precision_mirrors_the_runtimes()
        => Members(typeof(DnnGen.Generator.Precision)).ShouldBe(Members(typeof(global::DnnGen.Precision)));

    [Fact]
    public void The_generators_Activation_mirrors_the_runtimes()
        => Members(typeof(DnnGen.Generator.Activation)).ShouldBe(Members(typeof(global::DnnGen.Activation)));

    [Fact]
    public void The_generators_Loss_mirrors_the_runtimes()
        => Members(typeof(DnnGen.Generator.Loss)).ShouldBe(Members(typeof(global::DnnGen.Loss)));

    [Fact]
    public void The_generators_Optimizer_mirrors_the_runtimes()
        => Members(typeof(DnnGen.Generator.Optimizer)).ShouldBe(Members(typeof(global::DnnGen.Optimizer)));

    [Fact]
    public void The_runtime_enums_come_from_the_runtime_assembly()
    {
        // Guards the test itself: both sides must not resolve to the same type.
        typeof(global::DnnGen.Initialization).Assembly.GetName().Name.ShouldBe("DnnGen");
        typeof(DnnGen.Generator.Initialization).Assembly.GetName().Name.ShouldBe("DnnGen.Generator");
    }

    private static List<string> Members(Type enumType)
    {
        var members = new List<string>();
        foreach (string name in Enum.GetNames(enumType))
        {
            members.Add(name + " = " + Convert.ToInt64(Enum.Parse(enumType, name), System.Globalization.CultureInfo.InvariantCulture));
        }

        members.Sort(StringComparer.Ordinal);
        return members;
    }
}
