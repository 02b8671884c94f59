using System;
using System.Runtime.CompilerServices;
using Xunit;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// ParameterLayout, which the gradient check and the .npz and ONNX files use, places every W[l] and b[l] where the
/// generated network's own W{l} and b{l} are in Parameters.
/// </summary>
public class ParameterLayoutTests
{
    [Fact]
    public void The_slots_are_where_the_generated_network_keeps_its_weights_and_biases()
    {
        var network = new TorchNetwork();
        LayerSlot[] slots = ParameterLayout.Of(network.LayerSizes);

        Assert.Equal(3, slots.Length);
        AssertSlot(network, slots[0], 1, network.W1, network.b1);
        AssertSlot(network, slots[1], 2, network.W2, network.b2);
        AssertSlot(network, slots[2], 3, network.W3, network.b3);
        Assert.Equal(network.Parameters.Length, slots[^1].End);
    }

    [Fact]
    public void A_network_of_one_layer_has_one_slot_and_no_layers_none()
    {
        Assert.Equal([new LayerSlot(1, 2, 3, 0)], ParameterLayout.Of([3, 2]));
        Assert.Equal(6, ParameterLayout.Of([3, 2])[0].BiasOffset);
        Assert.Equal(8, ParameterLayout.Of([3, 2])[0].End);
        Assert.Empty(ParameterLayout.Of([3]));
    }

    private static void AssertSlot(TorchNetwork network, LayerSlot slot, int layer, Span<double> weights, Span<double> biases)
    {
        Assert.Equal(layer, slot.Layer);
        Assert.Equal(network.LayerSizes[layer], slot.Rows);
        Assert.Equal(network.LayerSizes[layer - 1], slot.Columns);
        Assert.Equal(weights.Length, slot.WeightCount);
        Assert.Equal(slot.WeightOffset, OffsetIn(network, weights));
        Assert.Equal(slot.BiasOffset, OffsetIn(network, biases));
        Assert.Equal(slot.Rows, biases.Length);
    }

    private static int OffsetIn(TorchNetwork network, Span<double> part)
        => (int)(Unsafe.ByteOffset(ref network.Parameters[0], ref part[0]) / sizeof(double));
}
