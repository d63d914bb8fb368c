namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// For unit tests of the handler's decisions only (the loopback tests use real Kestrel members): an inner handler
/// that answers for members reached at <c>http://{member}.test/</c>, each with a function of the request.
/// </summary>
internal sealed class StubMembers : HttpMessageHandler
{
    private readonly Dictionary<string, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _members = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Member, Uri Target, string? Body)> _received = [];

    public IReadOnlyList<(string Member, Uri Target, string? Body)> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    public static Uri AddressOf(string memberId) => new($"http://{memberId}.test/");

    public StubMembers On(string memberId, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        _members[memberId] = answer;
        return this;
    }

    public StubMembers On(string memberId, Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        On(memberId, (request, _) => Task.FromResult(answer(request)));

    public int CountFor(string memberId) => Received.Count(r => r.Member == memberId);

    public static ClusterSelector Cluster(string name, IEnumerable<string> memberIds, SelectionMode mode = SelectionMode.Failover, TimeProvider? timeProvider = null, Action<ClusterOptions>? configure = null)
    {
        var options = new ClusterOptions { Mode = mode };
        foreach (string id in memberIds)
        {
            options.Members.Add(new ClusterMemberOptions(id) { Address = AddressOf(id) });
        }

        configure?.Invoke(options);
        return new ClusterSelector(name, options, timeProvider);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string member = request.RequestUri!.Host[..^".test".Length];
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_received)
        {
            _received.Add((member, request.RequestUri, body));
        }

        if (!_members.TryGetValue(member, out var answer))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"No member listens at {request.RequestUri}.");
        }

        HttpResponseMessage response = await answer(request, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();
}
