using System.Text;
using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Http;

namespace ClusterRouting.Admin.Tests;

/// <summary>The strict body reader on its own: a declared length over the limit is refused unread, and a field the JSON path cannot name plainly is reported against the whole body.</summary>
public sealed class JsonBodyTests
{
    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_IsRefusedWithoutReadingTheBody()
    {
        var body = new UnreadableStream();
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = 4097;
        context.Request.Body = body;

        Outcome<SetEnabledRequest> outcome = await ReadAsync(context.Request);

        Assert.False(body.WasRead);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, outcome.Problem?.Status);
        Assert.Equal("The body is larger than 4096 bytes.", outcome.Problem?.Detail);
    }

    [Theory]
    [InlineData("{\"enabled\":false,\"\":1}")]      // path $. : no field name after the dot
    [InlineData("{\"enabled\":false,\"a.b\":1}")]   // path $['a.b'] : bracket notation
    public async Task ReadAsync_UnknownFieldTheJsonPathCannotNamePlainly_IsReportedAgainstTheBody(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));

        Outcome<SetEnabledRequest> outcome = await ReadAsync(context.Request);

        Problem problem = Assert.IsType<Problem>(outcome.Problem);
        Assert.Equal(["$"], problem.Errors!.Keys);
        Assert.StartsWith("The body is not a valid JSON object of this request (at byte ", problem.Detail, StringComparison.Ordinal);
    }

    private static Task<Outcome<SetEnabledRequest>> ReadAsync(HttpRequest request) =>
        JsonBody.ReadAsync(request, AdminJsonContext.Default.SetEnabledRequest, "enabled", "true or false", CancellationToken.None);

    /// <summary>A body that records any attempt to read it (and has nothing to give).</summary>
    private sealed class UnreadableStream : MemoryStream
    {
        public bool WasRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            WasRead = true;
            return 0;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WasRead = true;
            return ValueTask.FromResult(0);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            WasRead = true;
            return Task.FromResult(0);
        }
    }
}
