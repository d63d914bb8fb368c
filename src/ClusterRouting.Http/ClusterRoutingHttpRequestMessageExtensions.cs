namespace ClusterRouting.Http;

/// <summary>Per-request settings of the <see cref="ClusterRoutingHandler"/>.</summary>
public static class ClusterRoutingHttpRequestMessageExtensions
{
    /// <summary>
    /// Makes the request's body re-creatable, so that the request can go to another member when an attempt fails
    /// even though its content cannot be sent twice (a <see cref="StreamContent"/> over a file, say): the request's
    /// content is set to a new content from <paramref name="contentFactory"/> now, and when that content cannot be sent
    /// again as it is, the handler asks the factory for a fresh one before each later attempt (disposing the one sent).
    /// A factory also tells the handler that the request may run again after a member failed mid-way, whatever its method.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="contentFactory">Creates the request's content; called once per attempt.</param>
    /// <returns>The request, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="contentFactory"/> is <see langword="null"/>.</exception>
    public static HttpRequestMessage SetContentFactory(this HttpRequestMessage request, Func<HttpContent> contentFactory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(contentFactory);
        request.Options.Set(ContentFactory.FactoryKey, contentFactory);
        request.Content = contentFactory();
        return request;
    }
}
