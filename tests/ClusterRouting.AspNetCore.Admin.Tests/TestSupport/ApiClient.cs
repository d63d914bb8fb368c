using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>Small helpers to call the console's API and read its JSON.</summary>
public static class ApiClient
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public static async Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json) =>
        await client.PutAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string path) =>
        await client.DeleteAsync(new Uri(path, UriKind.Relative));

    public static JsonElement Member(this JsonElement cluster, string id) =>
        cluster.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
}
