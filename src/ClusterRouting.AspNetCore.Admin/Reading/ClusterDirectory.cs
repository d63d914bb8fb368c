using ClusterRouting.Admin.Contract;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin;

/// <summary>
/// Finds the clusters the console works on, by name, through <see cref="IClusterSelectorProvider"/>, and turns the
/// ways a cluster can be missing (never registered, removed, removed while in use) into one problem.
/// </summary>
internal sealed class ClusterDirectory(IClusterSelectorProvider provider)
{
    public IReadOnlyCollection<string> Names => provider.ClusterNames;

    /// <summary>Runs <paramref name="use"/> on the cluster named <paramref name="name"/>, or says why it could not.</summary>
    public Outcome<T> Use<T>(string name, Func<IClusterAdministration, Outcome<T>> use)
        where T : class
    {
        if (!provider.ClusterNames.Contains(name))
        {
            return Problems.UnknownCluster(name);
        }

        try
        {
            return use(provider.GetAdministration(name));
        }
        catch (OptionsValidationException ex)
        {
            return Problems.ClusterUnavailable(name, ex.Message);
        }
        catch (Exception ex) when (ex is ObjectDisposedException || (ex is ArgumentException && !provider.ClusterNames.Contains(name)))
        {
            // Removed between the look-up and the use.
            return Problems.UnknownCluster(name);
        }
    }

    /// <summary>Removes a cluster; <see langword="false"/> when none is registered under the name.</summary>
    public bool Remove(string name) => provider.RemoveCluster(name);
}
