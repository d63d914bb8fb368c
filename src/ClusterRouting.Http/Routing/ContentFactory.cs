namespace ClusterRouting.Http;

/// <summary>The content factory a request may carry (<see cref="ClusterRoutingHttpRequestMessageExtensions.SetContentFactory"/>).</summary>
internal static class ContentFactory
{
    public static readonly HttpRequestOptionsKey<Func<HttpContent>> FactoryKey = new("ClusterRouting.ContentFactory");

    // The content last sent: a request that comes back with it (the next attempt, or an outer retry) gets a fresh one.
    private static readonly HttpRequestOptionsKey<HttpContent> SentKey = new("ClusterRouting.SentContent");

    /// <summary>The request's factory, if it has one.</summary>
    public static Func<HttpContent>? Find(HttpRequestMessage request) =>
        request.Options.TryGetValue(FactoryKey, out Func<HttpContent>? factory) ? factory : null;

    /// <summary>Before an attempt: replaces a content that was already sent with a fresh one, and remembers what is sent now.</summary>
    public static void Prepare(HttpRequestMessage request, Func<HttpContent> factory)
    {
        HttpContent? current = request.Content;
        if (current is null || (request.Options.TryGetValue(SentKey, out HttpContent? sent) && ReferenceEquals(sent, current)))
        {
            current?.Dispose();
            current = factory() ?? throw new InvalidOperationException("The request's content factory returned null.");
            request.Content = current;
        }

        request.Options.Set(SentKey, current);
    }
}
