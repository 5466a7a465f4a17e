using Akka.Actor;

namespace Crm.Actors.Hosting;

/// <summary>
/// Builds an actor by calling a plain delegate. <c>Props.Create(() => new T(...))</c> reads its constructor arguments out
/// of the expression tree, compiling a delegate for each argument it cannot read directly, on every call (akka.net
/// issues 4698 and 6804); for an actor made once per customer that was a stream of dynamic methods to compile and
/// finalize. Such Props cannot be deployed remotely, which nothing here does.
/// </summary>
public sealed class DelegateProducer<TActor>(Func<TActor> create) : IIndirectActorProducer where TActor : ActorBase
{
    public Type ActorType => typeof(TActor);

    public ActorBase Produce() => create();

    public void Release(ActorBase actor) { }

    /// <summary>Props of an actor made by <paramref name="create"/> (called once per incarnation, restarts included).</summary>
    public static Props Props(Func<TActor> create) => Akka.Actor.Props.CreateBy(new DelegateProducer<TActor>(create));
}
