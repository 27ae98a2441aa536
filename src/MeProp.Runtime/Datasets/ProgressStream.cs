using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MeProp.Datasets;

/// <summary>
/// A read-only pass-through that counts the bytes read and reports them about every 256 KiB and at
/// the end: a progress bar needs no more, and a report per 16 KiB read would flood the console.
/// </summary>
internal sealed class ProgressStream : Stream
{
    private const long ReportEvery = 256 * 1024;
    private readonly Stream _inner;
    private readonly Action<long> _report;
    private long _read, _lastReported = -1;

    public ProgressStream(Stream inner, Action<long> report)
    {
        _inner = inner;
        _report = report;
    }

    public long BytesRead => _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        if (read == 0 ? _lastReported != _read : _read - _lastReported >= ReportEvery)
        {
            _lastReported = _read;
            _report(_read);
        }
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
