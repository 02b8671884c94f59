using System;
using System.Runtime.CompilerServices;

namespace DnnGen.Runtime.Tests;

/// <summary>The buffers generated networks keep their parameters in: 64-byte aligned, zeroed, and the requested length.</summary>
public unsafe class AlignedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(245_973)]
    public void The_first_element_is_on_a_64_byte_boundary_and_the_buffer_is_zeroed(int length)
    {
        // Several allocations, since any one array may happen to be aligned already.
        for (int i = 0; i < 16; i++)
        {
            AssertAlignedAndZeroed(new AlignedBuffer<double>(length), length);
            AssertAlignedAndZeroed(new AlignedBuffer<float>(length), length);
            AssertAlignedAndZeroed(new AlignedBuffer<Half>(length), length);
        }
    }

    [Fact]
    public void A_slice_is_the_range_of_the_whole_span()
    {
        var buffer = new AlignedBuffer<double>(10);
        buffer.Slice(3, 4).Fill(2);
        Assert.Equal(new double[] { 0, 0, 0, 2, 2, 2, 2, 0, 0, 0 }, buffer.Span.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(8, 3));
    }

    [Fact]
    public void A_negative_or_oversized_length_names_the_argument()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer<double>(-1));
        Assert.Equal("length", negative.ParamName);
        var oversized = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer<double>(Array.MaxLength));
        Assert.Equal("length", oversized.ParamName);
        Assert.Contains($"but the length is {Array.MaxLength}", oversized.Message);
    }

    [Fact]
    public void A_generated_networks_parameters_and_gradients_start_aligned()
    {
        var network = new AlignedNetwork();
        Assert.Equal(0, Address(network.W1) % AlignedBuffer<double>.Alignment);
        Assert.Equal(0, Address(network.dW1) % AlignedBuffer<double>.Alignment);
        Assert.Equal(AlignedNetwork.ParameterCount, network.Parameters.Length);
    }

    private static void AssertAlignedAndZeroed<T>(AlignedBuffer<T> buffer, int length)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(length, buffer.Length);
        Assert.Equal(length, buffer.Span.Length);
        if (length > 0)
        {
            Assert.Equal(0, Address(buffer.Span) % AlignedBuffer<T>.Alignment);
            Assert.True(buffer.Span.IndexOfAnyExcept(T.Zero) < 0);
        }
    }

    private static long Address<T>(Span<T> span) => (long)Unsafe.AsPointer(ref span[0]);
}

/// <summary>A small network whose buffers the alignment test inspects.</summary>
[Network(33, 5, 1)]
public partial class AlignedNetwork;
