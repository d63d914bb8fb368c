using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.Http;

/// <summary>
/// Sends each request to the member of a cluster that the cluster selects, and fails over to the next member when the
/// one tried is offline or refuses the request for one of its limits. Requests address the cluster, not a member: the
/// host of the request's URI is the cluster's (logical service's) name, as with Microsoft.Extensions.ServiceDiscovery,
/// and only its path and query are kept: <c>http://refresh/query?x=1</c> goes to <c>http://10.0.0.5:8080/gw/query?x=1</c>
/// on a member whose address is <c>http://10.0.0.5:8080/gw/</c>.
/// </summary>
/// <remarks>
/// <para>
/// The member's lease (its concurrency slot) covers the whole operation: the handler returns the response with its
/// content wrapped, and the lease ends when the body has been read to the end or the response, its content or the
/// content's stream is disposed, whichever comes first.
/// </para>
/// <para>
/// An attempt ends one of three ways. The member could not be reached, or failed before its response arrived
/// (<see cref="HttpRequestException.HttpRequestError"/> says which): it is reported offline. It answered 503 or 429
/// with the gateway's sentence for a limit, a <c>Retry-After</c>, or a <c>ClusterRouting-Limit</c> header: it is
/// reported as refusing for that limit, for the cool-down <c>Retry-After</c> asks. Any other response is the answer: it
/// is returned as it is, and the member is reported successful. After an offline or refused attempt the request goes
/// to a member not tried yet when it may be sent again safely; see the README's HTTP section for the rules.
/// </para>
/// <para>
/// When no member can take the request, the handler throws the library's typed errors:
/// <see cref="ClusterThrottledException"/> (every enabled member is throttled), <see cref="NoMemberAvailableException"/>,
/// <see cref="AllMembersFailedException"/> (every member tried failed) or <see cref="RequestNotReplayableException"/>;
/// a request canceled by the caller throws <see cref="OperationCanceledException"/> and penalizes no member.
/// </para>
/// </remarks>
public sealed class ClusterRoutingHandler : DelegatingHandler, IResponseBodyObserver
{
    private readonly IClusterSelector _cluster;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxRefusalBodyBytes;
    private readonly TimeSpan? _attemptTimeout;
    private readonly TimeSpan _maxRefusalCoolDown;
    private readonly TargetUriCache _targets = new();

    /// <summary>Initializes a new instance of the <see cref="ClusterRoutingHandler"/> class. Set <see cref="DelegatingHandler.InnerHandler"/> (a <see cref="SocketsHttpHandler"/>, say) when it is used without IHttpClientFactory.</summary>
    /// <param name="cluster">The cluster whose members take the requests; every member needs an address (<see cref="ClusterMemberOptions.Address"/>).</param>
    /// <param name="options">The handler's options; the defaults when <see langword="null"/>. They are read once, here.</param>
    /// <param name="logger">The logger for the handler's events (ids 100 to 107); none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <c>Retry-After</c> dates and attempt timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cluster"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists every problem.</exception>
    public ClusterRoutingHandler(IClusterSelector cluster, ClusterRoutingHandlerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        options ??= new ClusterRoutingHandlerOptions();
        var validation = ClusterRoutingHandlerOptionsValidator.Instance.Validate(name: null, options);
        if (validation.Failed)
        {
            throw new ArgumentException($"The handler's options are invalid: {validation.FailureMessage}", nameof(options));
        }

        _cluster = cluster;
        _logger = logger is null ? NullLogger.Instance : GuardedLogger.Wrap(logger);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxRefusalBodyBytes = options.MaxRefusalBodyBytes;
        _attemptTimeout = options.AttemptTimeout == Timeout.InfiniteTimeSpan ? null : options.AttemptTimeout;
        _maxRefusalCoolDown = options.MaxRefusalCoolDown;
    }

    /// <inheritdoc />
    void IResponseBodyObserver.OnBodyFailed(string memberId, Exception exception)
    {
        Log.ResponseBodyFailed(_logger, exception, _cluster.ClusterName, memberId);
        try
        {
            _cluster.ReportOffline(memberId);
        }
        catch (ObjectDisposedException)
        {
            // The cluster was disposed (its container is shutting down) while the body streamed: nothing to report to,
            // and the caller's read gets the member's failure, not this.
        }
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri original = OriginalUri(request);
        if (_attemptTimeout is not null || !ReplayRules.CanSendAgain(request.Content) || cancellationToken.IsCancellationRequested)
        {
            return SendCoreAsync(request, original, async: true, firstLease: default, firstSend: null, cancellationToken);
        }

        // The common case, kept small: select, send, and await the first attempt in a continuation that holds only
        // what it needs. An attempt that fails, or an answer that may be a refusal, goes on in the full loop.
        if (!_cluster.TrySelect(out MemberLease lease, out SelectionFailure failure))
        {
            return Task.FromException<HttpResponseMessage>(NoMemberLeft(failure, attempts: null));
        }

        Task<HttpResponseMessage> send;
        try
        {
            string memberId = lease.MemberId;
            Uri address = lease.Address ?? throw AddressMissing(memberId);
            Uri target = _targets.Resolve(lease.MemberIndex, address, original);
            request.RequestUri = target;
            Log.RequestRouted(_logger, request.Method, 1, _cluster.ClusterName, memberId, target, lease.IsProbe);
            send = base.SendAsync(request, cancellationToken);
        }
        catch (MemberAddressMissingException ex)
        {
            lease.Dispose();
            return Task.FromException<HttpResponseMessage>(ex);
        }
#pragma warning disable CA1031 // Not swallowed: an inner handler that throws at once is classified like one whose task fails.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            send = Task.FromException<HttpResponseMessage>(ex);
        }

        return CompleteFirstAttemptAsync(request, original, lease, send, cancellationToken);
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Stryker disable once Statement : HttpMessageInvoker.Send and DelegatingHandler.Send refuse a null request before a handler's Send is called
        ArgumentNullException.ThrowIfNull(request);

        // With async: false every call below is synchronous, so the task has completed when it is returned.
        Task<HttpResponseMessage> task = SendCoreAsync(request, OriginalUri(request), async: false, firstLease: default, firstSend: null, cancellationToken);
        return task.GetAwaiter().GetResult();
    }

    private Uri OriginalUri(HttpRequestMessage request) => request.RequestUri
        ?? throw new InvalidOperationException($"The request has no RequestUri: address the cluster by name, as in http://{_cluster.ClusterName}/path, or set HttpClient.BaseAddress.");

    private async Task<HttpResponseMessage> CompleteFirstAttemptAsync(HttpRequestMessage request, Uri original, MemberLease lease, Task<HttpResponseMessage> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await send.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Not swallowed: the loop awaits the same task again and classifies its exception.
        catch
#pragma warning restore CA1031
        {
            return await SendCoreAsync(request, original, async: true, lease, send, cancellationToken).ConfigureAwait(false);
        }

        if (RefusalRules.MayBeRefusal(response.StatusCode))
        {
            return await SendCoreAsync(request, original, async: true, lease, send, cancellationToken).ConfigureAwait(false);
        }

        request.RequestUri = original;
        return Answer(response, lease, inspection: default);
    }

    /// <summary>The member's answer: its lease now belongs to the response's content, and the member is reported successful.</summary>
    private HttpResponseMessage Answer(HttpResponseMessage response, MemberLease lease, RefusalInspection inspection)
    {
        string memberId = lease.MemberId;
        try
        {
            response.Content = new LeasedContent(response.Content, lease, this, inspection.Prefix, inspection.OpenedBody);
        }
        catch
        {
            // Stryker disable once Statement : LeasedContent's constructor only copies headers without validation, which no content a handler returns makes throw: this guard (against an out-of-memory) cannot be reached by a test
            response.Dispose();

            // Stryker disable once Statement : LeasedContent's constructor only copies headers without validation, which no content a handler returns makes throw: this guard (against an out-of-memory) cannot be reached by a test
            lease.Dispose();

            // Stryker disable once Statement : LeasedContent's constructor only copies headers without validation, which no content a handler returns makes throw: this guard (against an out-of-memory) cannot be reached by a test
            throw;
        }

        try
        {
            _cluster.ReportSuccess(memberId);
        }
        catch (ObjectDisposedException)
        {
            // The cluster was disposed while the request ran: the answer is still the member's answer.
        }

        return response;
    }

    /// <summary>
    /// The attempts of one request: each on the member the cluster selects next, until one gives the answer; a member
    /// that refused or failed is reported and listed, and the next attempt goes to a member not tried yet.
    /// </summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, Uri original, bool async, MemberLease firstLease, Task<HttpResponseMessage>? firstSend, CancellationToken cancellationToken)
    {
        // Looked up only for a body that cannot be sent again as it is, so that other requests do not allocate their options.
        Func<HttpContent>? contentFactory = ReplayRules.CanSendAgain(request.Content) ? null : ContentFactory.Find(request);
        List<string>? tried = null;
        List<MemberAttempt>? attempts = null;
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                // The fast path may have made the first attempt already: its lease and its send go on here.
                bool resumed = attempt == 1 && firstSend is not null;
                MemberLease lease = resumed ? firstLease : SelectNext(tried, attempts, cancellationToken);
                AttemptTimer? timer = null;
                AttemptResult result = default;
                bool handedOver = false;
                try
                {
                    if (!resumed)
                    {
                        Address(request, original, lease, attempt, contentFactory);
                        timer = StartTimer(cancellationToken);
                    }

                    result = await ExchangeAsync(request, resumed ? firstSend : null, async, timer, lease.MemberId, cancellationToken).ConfigureAwait(false);
                    if (result.IsAnswer)
                    {
                        handedOver = true;
                        request.RequestUri = original;
                        return Answer(result.Response, lease, result.Inspection);
                    }

                    RecordFailedAttempt(request, lease.MemberId, result, contentFactory, ref attempts);
                    (tried ??= new(2)).Add(lease.MemberId);
                }
                finally
                {
                    timer?.Dispose();
                    if (!handedOver)
                    {
                        result.Response?.Dispose();
                        lease.Dispose();
                    }
                }
            }
        }
        finally
        {
            // An outer handler (a retry, a hedge) may send the same request again: it must address the cluster again.
            request.RequestUri = original;
        }
    }

    /// <summary>Leases the member to try next, one not tried yet after a failed attempt; throws the typed error when none is left.</summary>
    private MemberLease SelectNext(List<string>? tried, List<MemberAttempt>? attempts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool selected = tried is null
            ? _cluster.TrySelect(out MemberLease lease, out SelectionFailure failure)
            : _cluster.TrySelect(tried, out lease, out failure);
        return selected ? lease : throw NoMemberLeft(failure, attempts);
    }

    /// <summary>The attempt's timer when the options set an attempt timeout; none otherwise.</summary>
    private AttemptTimer? StartTimer(CancellationToken cancellationToken) =>
        _attemptTimeout is TimeSpan timeout ? new AttemptTimer(timeout, _timeProvider, cancellationToken) : null;

    /// <summary>
    /// One attempt's exchange with its member: sends the request (or awaits the fast path's send) and reads what a 503
    /// or 429 says, or ends with the member's failure. Anything else (the request's own failure, a client-side limit,
    /// the caller's cancellation) ends the request, and the response received, if any, with it.
    /// </summary>
    // Pooled, so that an attempt that waits for its member allocates no state machine of its own.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AttemptResult> ExchangeAsync(HttpRequestMessage request, Task<HttpResponseMessage>? firstSend, bool async, AttemptTimer? timer, string memberId, CancellationToken cancellationToken)
    {
        CancellationToken token = timer?.Token ?? cancellationToken;
        HttpResponseMessage? response = null;
        try
        {
            try
            {
                if (firstSend is not null)
                {
                    // Stryker disable once Boolean : firstSend has completed (CompleteFirstAttemptAsync awaited it before resuming here), and an await of a completed task goes on at once on either setting
                    response = await firstSend.ConfigureAwait(false);
                }
                else
                {
                    response = async ? await base.SendAsync(request, token).ConfigureAwait(false) : base.Send(request, token);
                }

                RefusalInspection inspection = RefusalRules.MayBeRefusal(response.StatusCode)
                    ? await InspectAsync(response, async, token).ConfigureAwait(false)
                    : default;
                return new AttemptResult(response, inspection, Error: null, AttemptFailure.None);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                bool timedOut = timer?.TimedOut == true;
                AttemptFailure failure = timedOut ? AttemptFailure.Offline : AttemptFailures.Classify(ex);
                if (failure == AttemptFailure.None)
                {
                    throw;
                }

                return MemberFailed(response, ex, failure, timedOut, memberId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The caller canceled while the attempt failed another way: the caller's cancellation wins.
                throw new OperationCanceledException("The request was canceled.", ex, cancellationToken);
            }
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }

    /// <summary>An attempt that failed because of its member: a refusal still, when the headers of a 503 or 429 whose body failed say so.</summary>
    private AttemptResult MemberFailed(HttpResponseMessage? response, Exception ex, AttemptFailure failure, bool timedOut, string memberId)
    {
        if (response is not null && RefusalRules.MayBeRefusal(response.StatusCode) && HeadersSayRefusal(response) is RefusalInspection byHeaders)
        {
            // Reading the refusal's body failed, but its headers said enough.
            return new AttemptResult(response, byHeaders, Error: null, AttemptFailure.None);
        }

        Exception error = timedOut ? new TimeoutException($"Member '{memberId}' of cluster '{_cluster.ClusterName}' did not answer within the attempt timeout of {_attemptTimeout}.", ex) : ex;
        return new AttemptResult(response, Inspection: default, error, failure);
    }

    /// <summary>Points the request at the leased member (its address with the request's path and query) and logs the attempt.</summary>
    private void Address(HttpRequestMessage request, Uri original, MemberLease lease, int attempt, Func<HttpContent>? contentFactory)
    {
        string memberId = lease.MemberId;
        Uri address = lease.Address ?? throw AddressMissing(memberId);
        Uri target = _targets.Resolve(lease.MemberIndex, address, original);
        request.RequestUri = target;
        if (contentFactory is not null)
        {
            ContentFactory.Prepare(request, contentFactory);
        }

        Log.RequestRouted(_logger, request.Method, attempt, _cluster.ClusterName, memberId, target, lease.IsProbe);
    }

    /// <summary>
    /// An attempt that did not give the answer: reports the member refused or offline, lists the attempt, and throws
    /// <see cref="RequestNotReplayableException"/> when the request may not go to another member.
    /// </summary>
    private void RecordFailedAttempt(HttpRequestMessage request, string memberId, AttemptResult result, Func<HttpContent>? contentFactory, ref List<MemberAttempt>? attempts)
    {
        bool didNotProcess;
        if (result.Inspection.Limit is ThrottleLimitKind limit)
        {
            HttpStatusCode status = result.Response!.StatusCode;
            TimeSpan? coolDown = result.Inspection.CoolDown;
            _cluster.ReportRefusal(memberId, limit, coolDown);
            Log.MemberRefusedRequest(_logger, _cluster.ClusterName, memberId, status, limit, coolDown);
            var answer = new HttpRequestException($"Member '{memberId}' answered {(int)status} ({status}).", inner: null, status);
            (attempts ??= new(2)).Add(new MemberAttempt(memberId, AttemptOutcome.Refused, new MemberRefusedException(limit, coolDown, answer)));
            didNotProcess = true;
        }
        else
        {
            Exception error = result.Error!;
            _cluster.ReportOffline(memberId);
            Log.MemberUnreachable(_logger, error, _cluster.ClusterName, memberId, Describe(error, result.Failure));
            (attempts ??= new(2)).Add(new MemberAttempt(memberId, AttemptOutcome.Offline, error));
            didNotProcess = result.Failure == AttemptFailure.NeverReached;
        }

        // A factory also says the request may run again; a buffered content's factory was not looked up before.
        bool hasContentFactory = contentFactory is not null || ContentFactory.Find(request) is not null;
        ReplayVerdict verdict = ReplayRules.Decide(request.Method, request.Content, hasContentFactory, didNotProcess);
        if (verdict != ReplayVerdict.Replay)
        {
            string reason = verdict == ReplayVerdict.BodyNotReplayable
                ? $"its body ({request.Content!.GetType().Name}) cannot be sent again; set a content factory (SetContentFactory) to make it re-creatable"
                : $"member '{memberId}' may have processed it and {request.Method} is not idempotent";
            Log.RequestNotReplayed(_logger, _cluster.ClusterName, memberId, reason);
            throw new RequestNotReplayableException(_cluster.ClusterName, reason, attempts);
        }
    }

    /// <summary>Reads what a 503 or 429 says: its headers, and a bounded prefix of its body when no header names the limit.</summary>
    private async ValueTask<RefusalInspection> InspectAsync(HttpResponseMessage response, bool async, CancellationToken token)
    {
        ThrottleLimitKind? headerLimit = LimitHeader.Read(response.Headers);
        TimeSpan? coolDown = RetryAfter.CoolDown(response.Headers.RetryAfter, _timeProvider.GetUtcNow(), _maxRefusalCoolDown);
        if (headerLimit is not null || _maxRefusalBodyBytes == 0)
        {
            return new RefusalInspection(RefusalRules.LimitOf(headerLimit, sentenceLimit: null, coolDown is not null), coolDown, null, null);
        }

        // The sentence names the limit. When the response turns out to be the answer, the caller still gets every
        // byte: the prefix read here, then the rest of the stream.
        Stream body = async
            ? await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false)
            : response.Content.ReadAsStream(token);
        byte[] buffer = new byte[_maxRefusalBodyBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = async
                ? await body.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false)
                : body.Read(buffer.AsSpan(length));
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        byte[] prefix = buffer.AsSpan(0, length).ToArray();
        ThrottleLimitKind? sentenceLimit = RefusalSentences.Find(Encoding.UTF8.GetString(prefix));
        return new RefusalInspection(RefusalRules.LimitOf(headerLimit, sentenceLimit, coolDown is not null), coolDown, prefix, body);
    }

    /// <summary>The refusal a 503 or 429's headers alone make, when they make one.</summary>
    private RefusalInspection? HeadersSayRefusal(HttpResponseMessage response)
    {
        ThrottleLimitKind? headerLimit = LimitHeader.Read(response.Headers);
        TimeSpan? coolDown = RetryAfter.CoolDown(response.Headers.RetryAfter, _timeProvider.GetUtcNow(), _maxRefusalCoolDown);
        ThrottleLimitKind? limit = RefusalRules.LimitOf(headerLimit, sentenceLimit: null, coolDown is not null);
        return limit is null ? null : new RefusalInspection(limit, coolDown, null, null);
    }

    private static string Describe(Exception error, AttemptFailure failure) => error switch
    {
        TimeoutException => "attempt timeout",
        HttpRequestException http => failure == AttemptFailure.NeverReached ? $"{http.HttpRequestError}, not connected" : $"{http.HttpRequestError}",
        _ => failure == AttemptFailure.NeverReached ? "connect timeout" : error.GetType().Name,
    };

    private Exception NoMemberLeft(SelectionFailure failure, List<MemberAttempt>? attempts)
    {
        if (attempts is null)
        {
            NoMemberAvailableException none = failure.ToException();
            Log.NoMemberAvailable(_logger, _cluster.ClusterName, none.Message);
            return none;
        }

        Log.AllMembersFailed(_logger, _cluster.ClusterName, attempts.Count);
        return new AllMembersFailedException(_cluster.ClusterName, attempts);
    }

    private MemberAddressMissingException AddressMissing(string memberId)
    {
        Log.MemberAddressMissing(_logger, _cluster.ClusterName, memberId);
        return new MemberAddressMissingException(_cluster.ClusterName, memberId);
    }
}
