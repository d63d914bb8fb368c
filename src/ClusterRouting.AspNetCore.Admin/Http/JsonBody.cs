using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace ClusterRouting.Admin;

/// <summary>
/// Reads a change's JSON body strictly: JSON only, at most <see cref="AdminDefaults.MaxBodyBytes"/>, one object with no
/// field the contract does not define. What is wrong is answered as a problem naming the field.
/// </summary>
internal static class JsonBody
{
    /// <param name="request">The request.</param>
    /// <param name="typeInfo">The body's contract.</param>
    /// <param name="field">The body's one field, for example <c>enabled</c>.</param>
    /// <param name="values">What the field takes, for example <c>true or false</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<Outcome<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, string field, string values, CancellationToken cancellationToken)
        where T : class
    {
        string expected = $"{{\"{field}\": {values}}}";
        if (!request.HasJsonContentType())
        {
            return Problems.UnsupportedMediaType(request.ContentType);
        }

        if (request.ContentLength > AdminDefaults.MaxBodyBytes)
        {
            return Problems.BodyTooLarge(AdminDefaults.MaxBodyBytes);
        }

        byte[] buffer = new byte[AdminDefaults.MaxBodyBytes + 1];
        int length = 0;
        while (
            // Stryker disable once Equality : <= reads once more into no space, which returns 0 and ends the loop the same
            length < buffer.Length)
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
            int read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > AdminDefaults.MaxBodyBytes)
        {
            return Problems.BodyTooLarge(AdminDefaults.MaxBodyBytes);
        }

        if (length == 0)
        {
            return Problems.InvalidBody("$", $"The body is empty; expected {expected}.");
        }

        try
        {
            T? body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo);
            return body is null ? Problems.InvalidBody("$", $"The body is null; expected {expected}.") : body;
        }
        catch (JsonException ex)
        {
            // The exception's own message names .NET types; the answer names the field and what it takes.
            string at = FieldOf(ex.Path);
            if (at == "$")
            {
                return Problems.InvalidBody("$", FormattableString.Invariant($"The body is not a valid JSON object of this request (at byte {ex.BytePositionInLine ?? 0}): expected {expected}."));
            }

            return string.Equals(at, field, StringComparison.OrdinalIgnoreCase)
                ? Problems.InvalidBody(field, $"'{field}' must be {values}.")
                : Problems.InvalidBody(at, $"'{at}' is not a field of this request: expected {expected}.");
        }
    }

    /// <summary>The field a JSON path points at (<c>$.enabled</c> is <c>enabled</c>), or <c>$</c> for the whole body.</summary>
    private static string FieldOf(string? path) =>
        path is null || path.Length <= 2 || !path.StartsWith("$.", StringComparison.Ordinal) ? "$" : path[2..];
}
