using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Overparam.Numerics;

namespace Overparam.IO;

/// <summary>Element types that <see cref="SafeTensors"/> reads and writes.</summary>
public enum TensorDType
{
    /// <summary>IEEE 754 binary64, 8 bytes little-endian.</summary>
    F64,
    /// <summary>IEEE 754 binary32, 4 bytes little-endian.</summary>
    F32,
}

/// <summary>
/// A named dense array in row-major (C) order, holding either doubles (<see cref="TensorDType.F64"/>) or
/// floats (<see cref="TensorDType.F32"/>). Shape [] is a scalar with one element.
/// The arrays are shared, not copied: do not change them while a tensor is being written.
/// </summary>
public sealed record Tensor
{
    /// <summary>The tensor's key in the file.</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Element type.</summary>
    public TensorDType DType { get; }

    /// <summary>The elements when <see cref="DType"/> is F64, else null.</summary>
    public double[]? Doubles { get; }

    /// <summary>The elements when <see cref="DType"/> is F32, else null.</summary>
    public float[]? Floats { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Bytes per element.</summary>
    public int ElementSize => DType == TensorDType.F64 ? 8 : 4;

    private Tensor(string name, int[] shape, TensorDType dtype, double[]? doubles, float[]? floats)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensors.MetadataKey) throw new ArgumentException($"\"{name}\" is reserved for metadata", nameof(name));
        if (shape.Any(s => s < 0)) throw new ArgumentException($"tensor \"{name}\": negative dimension in shape [{string.Join(", ", shape)}]", nameof(shape));
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int length = doubles?.Length ?? floats!.Length;
        if (count != length)
            throw new ArgumentException($"tensor \"{name}\": shape [{string.Join(", ", shape)}] has {count} elements, data has {length}");
        Name = name; Shape = (int[])shape.Clone(); DType = dtype; Doubles = doubles; Floats = floats;
    }

    /// <summary>A float64 tensor over <paramref name="data"/> (not copied).</summary>
    public static Tensor F64(string name, int[] shape, double[] data) =>
        new(name, shape, TensorDType.F64, data ?? throw new ArgumentNullException(nameof(data)), null);

    /// <summary>A float32 tensor over <paramref name="data"/> (not copied).</summary>
    public static Tensor F32(string name, int[] shape, float[] data) =>
        new(name, shape, TensorDType.F32, null, data ?? throw new ArgumentNullException(nameof(data)));

    /// <summary>A float64 tensor of shape [rows, cols] over the matrix's storage (not copied).</summary>
    public static Tensor FromMatrix(string name, Matrix<double> m) => F64(name, [m.Rows, m.Cols], m.Data);

    /// <summary>The elements as doubles: the stored array for F64, a widened copy for F32.</summary>
    public double[] AsDoubles() => Doubles ?? Array.ConvertAll(Floats!, f => (double)f);

    /// <summary>The elements as floats: the stored array for F32, a rounded copy for F64.</summary>
    public float[] AsFloats() => Floats ?? Array.ConvertAll(Doubles!, d => (float)d);

    /// <summary>A rank-2 tensor as a matrix of doubles (sharing storage when F64).</summary>
    public Matrix<double> AsMatrix()
    {
        if (Shape.Length != 2) throw new InvalidOperationException($"tensor \"{Name}\" has shape [{string.Join(", ", Shape)}], not a matrix");
        return new Matrix<double>(Shape[0], Shape[1], AsDoubles());
    }

    /// <summary>Writes the elements to <paramref name="stream"/> as little-endian bytes.</summary>
    internal void WriteData(Stream stream)
    {
        if (BitConverter.IsLittleEndian)
        {
            if (Doubles is not null) stream.Write(MemoryMarshal.AsBytes(Doubles.AsSpan()));
            else stream.Write(MemoryMarshal.AsBytes(Floats!.AsSpan()));
            return;
        }
        var chunk = new byte[ElementSize];
        if (Doubles is not null)
            foreach (double v in Doubles) { BinaryPrimitives.WriteDoubleLittleEndian(chunk, v); stream.Write(chunk); }
        else
            foreach (float v in Floats!) { BinaryPrimitives.WriteSingleLittleEndian(chunk, v); stream.Write(chunk); }
    }
}
