using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>
/// Talks to the operators' console API (<c>MapClusterRoutingAdmin</c>) at a base address: the reads and the changes,
/// each answer read into the shared contract together with its JSON text. An error answer throws
/// <see cref="AdminApiException"/>; names in paths are escaped.
/// </summary>
internal sealed class AdminApiClient(HttpClient http)
{
    public Task<Answer<ClusterList>> ListClustersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/clusters", null, AdminJsonContext.Default.ClusterList, cancellationToken);

    public Task<Answer<ClusterDetail>> GetClusterAsync(string cluster, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/clusters/" + Escape(cluster), null, AdminJsonContext.Default.ClusterDetail, cancellationToken);

    public Task<Answer<MemberDetail>> SetEnabledAsync(string cluster, string member, bool enabled, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put,
            $"api/clusters/{Escape(cluster)}/members/{Escape(member)}/enabled",
            JsonSerializer.Serialize(new SetEnabledRequest { Enabled = enabled }, AdminJsonContext.Default.SetEnabledRequest),
            AdminJsonContext.Default.MemberDetail,
            cancellationToken);

    public Task<Answer<ClusterDetail>> SetModeAsync(string cluster, string mode, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put,
            $"api/clusters/{Escape(cluster)}/mode",
            JsonSerializer.Serialize(new SetModeRequest { Mode = mode }, AdminJsonContext.Default.SetModeRequest),
            AdminJsonContext.Default.ClusterDetail,
            cancellationToken);

    public Task RemoveMemberAsync(string cluster, string member, CancellationToken cancellationToken) =>
        DeleteAsync($"api/clusters/{Escape(cluster)}/members/{Escape(member)}", cancellationToken);

    public Task RemoveClusterAsync(string cluster, CancellationToken cancellationToken) =>
        DeleteAsync($"api/clusters/{Escape(cluster)}", cancellationToken);

    private async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(path, UriKind.Relative));
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private async Task<Answer<T>> SendAsync<T>(HttpMethod method, string path, string? json, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        await ThrowIfErrorAsync(response, cancellationToken).ConfigureAwait(false);
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            T value = JsonSerializer.Deserialize(text, typeInfo) ?? throw new JsonException("The answer is null.");
            return new Answer<T>(value, text);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The API's answer to {method} {path} is not what the tool understands (is --url the console's address?): {ex.Message}", ex);
        }
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if ((int)response.StatusCode is >= 300 and < 400)
        {
            throw new AdminApiException(response.StatusCode, response.Headers.Location);
        }

        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        Problem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, AdminJsonContext.Default.Problem);
            }
            catch (JsonException)
            {
                // Not problem details after all: the status still says what happened.
            }
        }

        throw new AdminApiException(response.StatusCode, problem, body.Length == 0 ? null : body);
    }
}

/// <summary>An answer: the contract's value, and the JSON text it was read from (printed as is by <c>--json</c>).</summary>
internal sealed record Answer<T>(T Value, string Json);
