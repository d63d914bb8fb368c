using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Admin;

/// <summary>What a request produced: a value to answer with, or the problem that stopped it.</summary>
internal readonly record struct Outcome<T>(T? Value, Problem? Problem)
    where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(null, problem);
}
