using Crm.Cli.Output;
using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class CustomerShow : CliCommand
{
    public override string Name => "customer show";
    public override string Summary => "a customer's entity state: upcoming trips and closed bookings (starts the entity if idle)";
    public override IReadOnlyList<string> Arguments => ["customer-id"];

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<CustomerDetails>($"api/customers/{Uri.EscapeDataString(context.Argument(0))}", ct), (view, output) =>
        {
            output.WriteLine($"Customer {view.CustomerId}: {view.OpenTrips.Count} upcoming trip(s), {view.ClosedBookings.Count} closed booking(s), journal at {view.SequenceNr}");
            if (view.OpenTrips.Count > 0)
            {
                var table = new Table("BOOKING", "ACTIVITY", "TITLE", "CITY", "COUNTRY", "STARTS");
                foreach (var t in view.OpenTrips) table.Row(t.BookingId, t.ActivityId, t.ActivityTitle, t.City, t.Country, t.StartsAt);
                table.Write(output);
            }
            if (view.ClosedBookings.Count > 0) output.WriteLine($"Closed: {string.Join(", ", view.ClosedBookings)}");
        });
}
